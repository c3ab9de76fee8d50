using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Containers.Cgroups;

/// <summary>
/// Reads a container's v1 cgroup files into <see cref="CgroupStats"/> the way runc + cAdvisor
/// interpret them. One reused buffer for every file of every container.
/// </summary>
internal sealed class CgroupV1Reader(KeptFileReader reader) : CgroupFileReads(reader)
{
    /// <summary>cpuacct.stat counts USER_HZ ticks, which the kernel fixes at 100 for userspace.</summary>
    private const double UserHz = 100.0;

    /// <summary>False when no file could be read: the cgroup is gone (the container stopped).</summary>
    /// <param name="readSpec">Also read the limits (<see cref="CgroupSpec"/>); otherwise <see cref="CgroupStats.Spec"/> stays empty.</param>
    public bool TryRead(CgroupV1Files files, CgroupStats into, bool readSpec)
    {
        Begin(into);

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
        if (Read(files.CpuStat, out content)) into.SetCfs(CpuStatParser.Parse(content));

        if (Read(files.MemoryUsage, out content) && ProcNumbers.TryParseLong(content, out var usage))
        {
            into.SetMemory(usage, Read(files.MemoryStat, out content) ? MemoryStatParser.ParseV1(content) : null);
            if (Read(files.MemoryFailcnt, out content) && ProcNumbers.TryParseLong(content, out var failcnt)) into.Failcnt = failcnt;
            if (Read(files.MemoryMaxUsage, out content) && ProcNumbers.TryParseLong(content, out var maxUsage))
            {
                into.HasMaxUsage = true;
                into.MaxUsage = maxUsage;
            }
        }
        if (Read(files.OomControl, out content))
        {
            MemoryEventsParser.Parse(content, out _, out var kills, out var counted);
            into.HasOomEvents = counted;
            into.OomEvents = kills;
        }

        if (readSpec) into.Spec = ReadSpec(files);

        if (Read(files.IoServiceBytes, out content)) BlkioServiceBytesParser.Parse(content, into.Io);

        ReadTasks(files.PidsCurrent, files.Procs, into);
        return AnyRead;
    }

    private CgroupSpec ReadSpec(CgroupV1Files files)
    {
        double limit = 0;
        var hasLimit = Read(files.MemoryLimit, out var content) && CgroupValueParser.TryParseLimit(content, out limit);
        double reservation = 0, swap = 0;
        var hasReservation = Read(files.MemorySoftLimit, out content) && CgroupValueParser.TryParseLimit(content, out reservation);
        var hasSwap = Read(files.MemswLimit, out content) && CgroupValueParser.TryParseLimit(content, out swap);
        var memory = new CgroupSpec(hasLimit, limit, false, 0, 0, 0) { HasReservation = hasReservation, Reservation = reservation, HasSwapLimit = hasSwap, SwapLimit = swap };
        if (!Read(files.Shares, out content) || !ProcNumbers.TryParseLong(content, out var shares)) return memory;
        // -1 is "no quota": cAdvisor leaves the quota 0 and emits no series for it.
        long quota = 0, period = 0;
        if (Read(files.CfsQuota, out content) && ProcNumbers.TryParseLong(content, out var q) && q > 0) quota = q;
        if (Read(files.CfsPeriod, out content) && ProcNumbers.TryParseLong(content, out var p)) period = p;
        return memory with { HasCpuShares = true, CpuShares = shares, CpuQuota = quota, CpuPeriod = period };
    }
}
