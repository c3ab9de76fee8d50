using Agent.Pipeline;

namespace Agent.Collectors.Process;

/// <summary>
/// One name group: its label sets (built once), the counter totals accumulated from its
/// processes' growth — kept when processes exit, so counters never go backwards — and this
/// cycle's gauges, summed afresh each cycle.
/// </summary>
internal sealed class GroupState
{
    public GroupState(string name)
    {
        Name = name;
        var group = new Label("groupname", name);
        Labels = [group];
        CpuLabels = [[group, new("mode", "user")], [group, new("mode", "system")]];
        MemoryLabels = [.. new[] { "resident", "virtual", "swapped", "proportionalResident", "proportionalSwapped" }.Select(m => new[] { group, new Label("memtype", m) })];
        SwitchLabels = [[new("ctxswitchtype", "voluntary"), group], [new("ctxswitchtype", "nonvoluntary"), group]];
        StateLabels = [.. new[] { "Running", "Sleeping", "Waiting", "Zombie", "Other" }.Select(s => new[] { group, new Label("state", s) })];
    }

    public string Name { get; }
    public Label[] Labels { get; }
    public Label[][] CpuLabels { get; }
    public Label[][] MemoryLabels { get; }
    public Label[][] SwitchLabels { get; }
    public Label[][] StateLabels { get; }

    public Counts Totals;
    public Counts Growth;
    public StateCounts States;
    public int Procs;
    public double ResidentBytes, VirtualBytes, SwappedBytes, ProportionalBytes, ProportionalSwapBytes;
    public double OpenFds, WorstFdRatio, NumThreads, OldestStartSeconds;

    /// <summary>Per thread name; only names seen in the last cycle are kept.</summary>
    public Dictionary<string, ThreadNameState> ThreadNames { get; } = new(StringComparer.Ordinal);

    /// <summary>Only {{.PID}} templates named it: dropped once no live process is in it, or the groups of every short-lived process would pile up.</summary>
    public bool PerProcess { get; set; }

    public void StartCycle()
    {
        Growth = default;
        States = default;
        Procs = 0;
        ResidentBytes = VirtualBytes = SwappedBytes = ProportionalBytes = ProportionalSwapBytes = 0;
        OpenFds = WorstFdRatio = NumThreads = OldestStartSeconds = 0;
    }

    public void Add(TrackedProcess process)
    {
        Procs++;
        ResidentBytes += process.ResidentBytes;
        VirtualBytes += process.VirtualBytes;
        SwappedBytes += process.SwappedBytes;
        ProportionalBytes += process.ProportionalBytes;
        ProportionalSwapBytes += process.ProportionalSwapBytes;
        NumThreads += process.NumThreads;
        Growth.Add(process.Latest);
        States.Add(process.States);
        if (process.OpenFds >= 0) OpenFds += process.OpenFds;
        if (process.FdLimit > 0 && process.OpenFds >= 0) WorstFdRatio = Math.Max(WorstFdRatio, process.OpenFds / (double)process.FdLimit);
        if (OldestStartSeconds == 0 || process.StartSeconds < OldestStartSeconds) OldestStartSeconds = process.StartSeconds;
    }

    public void AddThread(TrackedThread thread, int cycle)
    {
        if (!ThreadNames.TryGetValue(thread.Name, out var state))
        {
            state = new ThreadNameState(Labels[0], thread.Name);
            ThreadNames[thread.Name] = state;
        }
        if (state.SeenCycle != cycle)
        {
            state.PreviousCycle = state.SeenCycle;
            state.SeenCycle = cycle;
            state.Count = 0;
            state.Growth = default;
        }
        state.Count++;
        state.Growth.Add(thread.Latest);
    }
}

/// <summary>
/// Threads of one group sharing a name. As in process-exporter, the totals continue only while
/// the name is seen every cycle; a name that skips a cycle starts again from its growth.
/// </summary>
internal sealed class ThreadNameState
{
    public ThreadNameState(Label group, string name)
    {
        var thread = new Label("threadname", name);
        Labels = [group, thread];
        CpuLabels = [[group, new("mode", "user"), thread], [group, new("mode", "system"), thread]];
        IoLabels = [[group, new("iomode", "read"), thread], [group, new("iomode", "write"), thread]];
        SwitchLabels = [[new("ctxswitchtype", "voluntary"), group, thread], [new("ctxswitchtype", "nonvoluntary"), group, thread]];
    }

    public Label[] Labels { get; }
    public Label[][] CpuLabels { get; }
    public Label[][] IoLabels { get; }
    public Label[][] SwitchLabels { get; }
    public int SeenCycle { get; set; } = -1;
    public int PreviousCycle { get; set; } = -1;
    public int Count { get; set; }
    public Counts Growth;
    public Counts Totals;
}
