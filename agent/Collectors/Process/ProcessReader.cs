using System.Text;
using Agent.Collectors.Process.Procfs;

namespace Agent.Collectors.Process;

/// <summary>
/// Reads one process's files for a cycle into its <see cref="TrackedProcess"/>: stat, status,
/// io, limits, the fd count, optionally smaps_rollup, and for a multi-threaded process with
/// threads enabled each thread's stat, status and io. A single-threaded process's only thread
/// is the process itself, so its task/ directory is never opened.
/// </summary>
internal sealed class ProcessReader(PidFiles files, bool threads, bool smaps, double bootTime)
{
    private const double UserHz = 100.0;

    /// <summary>
    /// limits is the costliest file to format and a soft limit rarely changes after start-up, so
    /// it is read when a process is first seen and then every this many cycles (staggered by pid).
    /// </summary>
    private const int LimitsEvery = 8;
    private static readonly double PageSize = Environment.SystemPageSize;

    private readonly List<int> _tids = new(64);
    private readonly List<int> _goneThreads = [];

    /// <summary>Processes read only in part this cycle (io, fd or threads unreadable): process-exporter's partial errors.</summary>
    public int PartialErrors { get; set; }

    /// <summary>Processes that exist but whose status or limits could not be read.</summary>
    public int ReadErrors { get; set; }

    /// <summary>
    /// Reads the stat of <paramref name="pid"/>; false when the process vanished. <paramref name="comm"/>
    /// is valid only until the next read.
    /// </summary>
    public bool TryReadStat(int pid, out PidStat stat, out ReadOnlySpan<byte> comm)
    {
        stat = default;
        comm = default;
        return files.TryRead(pid, "stat"u8, out var content) && PidStatParser.TryParse(content, out stat, out comm);
    }

    /// <summary>argv, read once per process.</summary>
    public string[]? TryReadCmdline(int pid) =>
        files.TryRead(pid, "cmdline"u8, out var content) ? PidCmdlineParser.Parse(content) : null;

    /// <summary>
    /// Fills this cycle's values of <paramref name="process"/> from its stat and the other files.
    /// <paramref name="isNew"/>: its growth this cycle is everything if it started after
    /// <paramref name="countFrom"/>, nothing otherwise (process-exporter's rule).
    /// </summary>
    public bool TryReadMetrics(TrackedProcess process, in PidStat stat, bool isNew, double countFrom, out int effectiveUid)
    {
        var pid = process.Pid;
        effectiveUid = -1;
        if (!files.TryRead(pid, "status"u8, out var content) || !PidStatusParser.TryParse(content, out var status))
        {
            CountReadError(pid);
            return false;
        }
        effectiveUid = status.EffectiveUid;
        var partial = false;
        var counts = CountsOf(stat, status);
        if (files.TryRead(pid, "io"u8, out content) && PidIoParser.TryParse(content, out var io))
        {
            counts.ReadBytes = io.ReadBytes;
            counts.WriteBytes = io.WriteBytes;
        }
        else
        {
            partial = true;
        }
        var fdLimit = process.FdLimit;
        if (isNew || (process.SeenCycle + pid) % LimitsEvery == 0)
        {
            if (!files.TryRead(pid, "limits"u8, out content))
            {
                CountReadError(pid);
                return false;
            }
            // A zombie's limits file is empty: no limit, so no fd ratio, but still a process.
            PidLimitsParser.TryParseOpenFiles(content, out fdLimit);
        }
        var fds = files.CountEntries(pid, "fd"u8);
        if (fds < 0) partial = true;
        var proportional = default(PidSmaps);
        if (smaps && !(files.TryRead(pid, "smaps_rollup"u8, out content) && PidSmapsParser.TryParse(content, out proportional))) partial = true;

        var states = default(StateCounts);
        states.Add(stat.State);
        if (threads && stat.NumThreads > 1)
        {
            if (!TryReadThreads(process, ref counts, ref states, isNew)) PartialErrors++;
        }
        else
        {
            process.Threads = null;
        }
        if (partial) PartialErrors++;

        process.ParentPid = stat.ParentPid;
        process.StartSeconds = bootTime + stat.StartTicks / UserHz;
        process.Latest = isNew ? (process.StartSeconds > countFrom ? counts : default) : counts.Since(process.Last);
        process.Last = counts;
        process.States = states;
        process.ResidentBytes = stat.ResidentPages * PageSize;
        process.VirtualBytes = stat.VirtualBytes;
        process.SwappedBytes = status.SwappedBytes;
        process.ProportionalBytes = proportional.ProportionalBytes;
        process.ProportionalSwapBytes = proportional.ProportionalSwapBytes;
        process.NumThreads = stat.NumThreads;
        process.OpenFds = fds;
        process.FdLimit = fdLimit;
        return true;
    }

    /// <summary>
    /// Each thread's counters; the process's context switches and states become the threads'
    /// (its status shows the main thread's switches only). A thread seen for the first time
    /// adds nothing this cycle, as in process-exporter.
    /// </summary>
    private bool TryReadThreads(TrackedProcess process, ref Counts counts, ref StateCounts states, bool isNew)
    {
        var pid = process.Pid;
        if (!files.TryListThreads(pid, _tids)) return false;
        if (_tids.Count < 2)
        {
            process.Threads = null;
            return true;
        }
        var known = process.Threads ??= new Dictionary<int, TrackedThread>(_tids.Count);
        var cycle = process.SeenCycle;
        double voluntary = 0, nonvoluntary = 0;
        foreach (var tid in _tids)
        {
            if (!files.TryReadThread(pid, tid, "stat"u8, out var content) || !PidStatParser.TryParse(content, out var stat, out var comm)) continue;
            if (!known.TryGetValue(tid, out var thread) || thread.StartTicks != stat.StartTicks)
            {
                thread = new TrackedThread(stat.StartTicks) { SeenCycle = -1 };
                known[tid] = thread;
            }
            thread.SetName(comm);
            if (!files.TryReadThread(pid, tid, "status"u8, out content) || !PidStatusParser.TryParse(content, out var status)) continue;
            var threadCounts = CountsOf(stat, status);
            if (files.TryReadThread(pid, tid, "io"u8, out content) && PidIoParser.TryParse(content, out var io))
            {
                threadCounts.ReadBytes = io.ReadBytes;
                threadCounts.WriteBytes = io.WriteBytes;
            }
            thread.Latest = isNew || thread.SeenCycle < 0 ? default : threadCounts.Since(thread.Last);
            thread.Last = threadCounts;
            thread.SeenCycle = cycle;
            voluntary += status.VoluntarySwitches;
            nonvoluntary += status.NonvoluntarySwitches;
            states.Add(stat.State);
        }
        foreach (var (tid, thread) in known)
        {
            if (thread.SeenCycle != cycle) _goneThreads.Add(tid);
        }
        foreach (var tid in _goneThreads) known.Remove(tid);
        _goneThreads.Clear();
        counts.VoluntarySwitches = voluntary;
        counts.NonvoluntarySwitches = nonvoluntary;
        return true;
    }

    /// <summary>A file missing because the process exited is normal; one missing while its stat is still there is an error.</summary>
    private void CountReadError(int pid)
    {
        if (files.TryRead(pid, "stat"u8, out _)) ReadErrors++;
    }

    public static string CommString(ReadOnlySpan<byte> comm) => Encoding.UTF8.GetString(comm);

    /// <summary>A process's or a thread's counters from its stat and status, in process-exporter's units.</summary>
    private static Counts CountsOf(in PidStat stat, in PidStatus status) => new()
    {
        UserSeconds = stat.UserTicks / UserHz,
        SystemSeconds = stat.SystemTicks / UserHz,
        MajorFaults = stat.MajorFaults,
        MinorFaults = stat.MinorFaults,
        VoluntarySwitches = status.VoluntarySwitches,
        NonvoluntarySwitches = status.NonvoluntarySwitches,
    };
}
