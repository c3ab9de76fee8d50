namespace Agent.Collectors.Process;

/// <summary>
/// The counters process-exporter keeps per process, thread and group: CPU seconds, storage
/// bytes, page faults and context switches.
/// </summary>
public struct Counts
{
    public double UserSeconds;
    public double SystemSeconds;
    public double ReadBytes;
    public double WriteBytes;
    public double MajorFaults;
    public double MinorFaults;
    public double VoluntarySwitches;
    public double NonvoluntarySwitches;

    public void Add(in Counts other)
    {
        UserSeconds += other.UserSeconds;
        SystemSeconds += other.SystemSeconds;
        ReadBytes += other.ReadBytes;
        WriteBytes += other.WriteBytes;
        MajorFaults += other.MajorFaults;
        MinorFaults += other.MinorFaults;
        VoluntarySwitches += other.VoluntarySwitches;
        NonvoluntarySwitches += other.NonvoluntarySwitches;
    }

    /// <summary>
    /// What grew since <paramref name="before"/>. A value that went down (io turned unreadable,
    /// a thread's switches leaving the sum with it) adds nothing instead of a negative step, so
    /// group totals never go backwards.
    /// </summary>
    public readonly Counts Since(in Counts before) => new()
    {
        UserSeconds = Math.Max(0, UserSeconds - before.UserSeconds),
        SystemSeconds = Math.Max(0, SystemSeconds - before.SystemSeconds),
        ReadBytes = Math.Max(0, ReadBytes - before.ReadBytes),
        WriteBytes = Math.Max(0, WriteBytes - before.WriteBytes),
        MajorFaults = Math.Max(0, MajorFaults - before.MajorFaults),
        MinorFaults = Math.Max(0, MinorFaults - before.MinorFaults),
        VoluntarySwitches = Math.Max(0, VoluntarySwitches - before.VoluntarySwitches),
        NonvoluntarySwitches = Math.Max(0, NonvoluntarySwitches - before.NonvoluntarySwitches),
    };
}
