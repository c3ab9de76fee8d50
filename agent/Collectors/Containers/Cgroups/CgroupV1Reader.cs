using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Containers.Cgroups;

/// <summary>
/// Reads a container's v1 cgroup files into <see cref="CgroupStats"/> the way runc + cAdvisor
/// interpret them. One reused buffer for every file of every container.
/// </summary>
public sealed class CgroupV1Reader(ProcFileReader reader)
{
    /// <summary>cpuacct.stat counts USER_HZ ticks, which the kernel fixes at 100 for userspace.</summary>
    private const double UserHz = 100.0;

    private bool _any;

    /// <summary>False when no file could be read: the cgroup is gone (the container stopped).</summary>
    public bool TryRead(CgroupV1Files files, CgroupStats into)
    {
        into.Clear();
        _any = false;

        if (Read(files.CpuacctUsage, out var content) && ProcNumbers.TryParseLong(content, out var usageNs))
        {
            into.HasCpu = true;
            into.UsageSeconds = usageNs / 1e9;
            if (Read(files.CpuacctStat, out content) && CpuacctStatParser.TryParse(content, out var user, out var system))
            {
                into.UserSeconds = user / UserHz;
                into.SystemSeconds = system / UserHz;
            }
        }
        if (Read(files.CpuStat, out content))
        {
            var cpu = CpuStatParser.Parse(content);
            if (cpu.HasCfs)
            {
                into.HasCfs = true;
                into.Periods = cpu.Periods;
                into.ThrottledPeriods = cpu.ThrottledPeriods;
                into.ThrottledSeconds = cpu.ThrottledNanoseconds / 1e9;
            }
        }
        if (Read(files.Shares, out content) && ProcNumbers.TryParseLong(content, out var shares))
        {
            into.HasCpuShares = true;
            into.CpuShares = shares;
            // -1 is "no quota": cAdvisor leaves the quota 0 and emits no series for it.
            if (Read(files.CfsQuota, out content) && ProcNumbers.TryParseLong(content, out var quota) && quota > 0) into.CpuQuota = quota;
            if (Read(files.CfsPeriod, out content) && ProcNumbers.TryParseLong(content, out var period)) into.CpuPeriod = period;
        }

        if (Read(files.MemoryUsage, out content) && ProcNumbers.TryParseLong(content, out var usage))
        {
            into.HasMemory = true;
            into.MemoryUsage = usage;
            if (Read(files.MemoryStat, out content))
            {
                var stat = MemoryStatParser.ParseV1(content);
                into.Rss = stat.Rss;
                into.Cache = stat.Cache;
                into.Swap = stat.Swap;
                into.WorkingSet = CgroupStats.WorkingSetOf(usage, stat.InactiveFile);
            }
            else
            {
                into.WorkingSet = usage;
            }
            if (Read(files.MemoryFailcnt, out content) && ProcNumbers.TryParseLong(content, out var failcnt)) into.Failcnt = failcnt;
        }
        if (Read(files.MemoryLimit, out content) && CgroupValueParser.TryParseLimit(content, out var limit))
        {
            into.HasMemoryLimit = true;
            into.MemoryLimit = limit;
        }
        if (Read(files.OomControl, out content))
        {
            MemoryEventsParser.Parse(content, out _, out var kills, out var counted);
            into.HasOomEvents = counted;
            into.OomEvents = kills;
        }

        if (Read(files.IoServiceBytes, out content)) BlkioServiceBytesParser.Parse(content, into.Io);

        // pids.current counts tasks, i.e. threads: cAdvisor's container_threads.
        if (Read(files.PidsCurrent, out content) && ProcNumbers.TryParseLong(content, out var threads))
        {
            into.HasThreads = true;
            into.Threads = threads;
        }
        if (Read(files.Procs, out content))
        {
            into.HasProcesses = true;
            into.Processes = CgroupValueParser.CountLines(content);
        }
        return _any;
    }

    private bool Read(string? path, out ReadOnlySpan<byte> content)
    {
        content = default;
        if (path is null || !reader.TryRead(path, out content)) return false;
        _any = true;
        return true;
    }
}
