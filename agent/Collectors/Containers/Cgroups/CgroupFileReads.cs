using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Containers.Cgroups;

/// <summary>
/// What the v1 and v2 readers share: reading through the kept files while remembering whether
/// any file answered (none means the cgroup is gone), and the task counts, which both versions
/// keep in pids.current and cgroup.procs.
/// </summary>
internal abstract class CgroupFileReads(KeptFileReader reader)
{
    private bool _any;

    /// <summary>Starts one container's read: clears the figures and the "any file answered" mark.</summary>
    protected void Begin(CgroupStats into)
    {
        into.Clear();
        _any = false;
    }

    /// <summary>True when at least one file of the container could be read since <see cref="Begin"/>.</summary>
    protected bool AnyRead => _any;

    protected bool Read(KeptFile? file, out ReadOnlySpan<byte> content, bool oneRecord = true)
    {
        if (!reader.TryRead(file, oneRecord, out content)) return false;
        _any = true;
        return true;
    }

    protected void ReadTasks(KeptFile? pidsCurrent, KeptFile? procs, CgroupStats into)
    {
        // pids.current counts tasks, i.e. threads: cAdvisor's container_threads.
        if (Read(pidsCurrent, out var content) && ProcNumbers.TryParseLong(content, out var threads))
        {
            into.HasThreads = true;
            into.Threads = threads;
        }
        if (Read(procs, out content, oneRecord: false))
        {
            into.HasProcesses = true;
            into.Processes = CgroupValueParser.CountLines(content);
        }
    }
}
