using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Containers.Cgroups;

/// <summary>
/// Reads a container's v2 cgroup files into <see cref="CgroupStats"/> the way runc + cAdvisor
/// interpret them. One reused buffer for every file of every container.
/// </summary>
internal sealed class CgroupV2Reader(KeptFileReader reader) : CgroupFileReads(reader)
{
    /// <summary>False when no file could be read: the cgroup is gone (the container stopped).</summary>
    /// <param name="readSpec">Also read the limits (<see cref="CgroupSpec"/>); otherwise <see cref="CgroupStats.Spec"/> stays empty.</param>
    public bool TryRead(CgroupV2Files files, CgroupStats into, bool readSpec)
    {
        Begin(into);

        if (Read(files.CpuStat, out var content))
        {
            var cpu = CpuStatParser.Parse(content);
            if (cpu.HasUsage)
            {
                into.HasCpu = true;
                into.UsageSeconds = cpu.UsageUsec / 1e6;
                into.UserSeconds = cpu.UserUsec / 1e6;
                into.SystemSeconds = cpu.SystemUsec / 1e6;
            }
            into.SetCfs(cpu);
        }
        if (Read(files.MemoryCurrent, out content) && ProcNumbers.TryParseLong(content, out var usage))
        {
            into.SetMemory(usage, Read(files.MemoryStat, out content) ? MemoryStatParser.ParseV2(content) : null);
            // v2 keeps swap use in its own file: memory.stat has none.
            if (Read(files.MemorySwap, out content) && ProcNumbers.TryParseLong(content, out var swap)) into.Swap = swap;
            if (Read(files.MemoryPeak, out content) && ProcNumbers.TryParseLong(content, out var peak))
            {
                into.HasMaxUsage = true;
                into.MaxUsage = peak;
            }
        }
        if (readSpec) into.Spec = ReadSpec(files);
        if (Read(files.MemoryEvents, out content))
        {
            // v2 has no memory.failcnt; the "max" event (usage hit memory.max) is the same count.
            MemoryEventsParser.Parse(content, out var max, out var kills, out var counted);
            into.Failcnt = max;
            into.HasOomEvents = counted;
            into.OomEvents = kills;
        }

        if (Read(files.IoStat, out content)) IoStatParser.Parse(content, into.Io);

        ReadTasks(files.PidsCurrent, files.Procs, into);
        return AnyRead;
    }

    private CgroupSpec ReadSpec(CgroupV2Files files)
    {
        double limit = 0;
        var hasLimit = Read(files.MemoryMax, out var content) && CgroupValueParser.TryParseLimit(content, out limit);
        double reservation = 0, swap = 0;
        var hasReservation = Read(files.MemoryLow, out content) && CgroupValueParser.TryParseLimit(content, out reservation);
        var hasSwap = Read(files.MemorySwapMax, out content) && CgroupValueParser.TryParseLimit(content, out swap);
        var memory = new CgroupSpec(hasLimit, limit, false, 0, 0, 0) { HasReservation = hasReservation, Reservation = reservation, HasSwapLimit = hasSwap, SwapLimit = swap };
        if (!Read(files.CpuWeight, out content) || !ProcNumbers.TryParseLong(content, out var weight)
            || !CgroupValueParser.TryWeightToShares(weight, out var shares))
        {
            return memory;
        }
        long quota = 0, period = 0;
        if (Read(files.CpuMax, out content) && CpuMaxParser.TryParse(content, out var q, out var p))
        {
            quota = q;
            period = p;
        }
        return memory with { HasCpuShares = true, CpuShares = shares, CpuQuota = quota, CpuPeriod = period };
    }
}
