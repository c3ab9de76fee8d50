namespace Agent.Collectors.Containers.Cgroups;

/// <summary>
/// One container's cgroup, resolved once per container: the path cAdvisor prints as label id
/// ("/docker/ID", "/system.slice/docker-ID.scope") and the files to read, built once so that
/// a cycle concatenates or encodes no paths. Exactly one of <see cref="V1"/> and <see cref="V2"/> is set.
/// </summary>
public sealed record ContainerCgroup(string Name, CgroupV1Files? V1, CgroupV2Files? V2);

/// <summary>v1 files, one directory per controller; a controller that is not mounted leaves its files null.</summary>
public sealed class CgroupV1Files(string? cpu, string? cpuacct, string? memory, string? blkio, string? pids)
{
    public KeptFile? CpuacctUsage { get; } = In(cpuacct, "cpuacct.usage");
    public KeptFile? CpuacctStat { get; } = In(cpuacct, "cpuacct.stat");
    public KeptFile? CpuStat { get; } = In(cpu, "cpu.stat");
    public KeptFile? CfsQuota { get; } = In(cpu, "cpu.cfs_quota_us");
    public KeptFile? CfsPeriod { get; } = In(cpu, "cpu.cfs_period_us");
    public KeptFile? Shares { get; } = In(cpu, "cpu.shares");
    public KeptFile? MemoryUsage { get; } = In(memory, "memory.usage_in_bytes");
    public KeptFile? MemoryStat { get; } = In(memory, "memory.stat");
    public KeptFile? MemoryFailcnt { get; } = In(memory, "memory.failcnt");
    public KeptFile? MemoryLimit { get; } = In(memory, "memory.limit_in_bytes");
    public KeptFile? MemoryMaxUsage { get; } = In(memory, "memory.max_usage_in_bytes");
    public KeptFile? MemorySoftLimit { get; } = In(memory, "memory.soft_limit_in_bytes");
    public KeptFile? MemswLimit { get; } = In(memory, "memory.memsw.limit_in_bytes");
    public KeptFile? OomControl { get; } = In(memory, "memory.oom_control");
    public KeptFile? IoServiceBytes { get; } = In(blkio, "blkio.throttle.io_service_bytes");
    public KeptFile? PidsCurrent { get; } = In(pids, "pids.current");
    /// <summary>Every v1 hierarchy has cgroup.procs; the pids one is preferred, memory is the fallback.</summary>
    public KeptFile? Procs { get; } = In(pids ?? memory ?? cpu, "cgroup.procs");

    public IEnumerable<KeptFile?> All =>
        [CpuacctUsage, CpuacctStat, CpuStat, CfsQuota, CfsPeriod, Shares, MemoryUsage, MemoryStat, MemoryFailcnt, MemoryLimit, MemoryMaxUsage, MemorySoftLimit, MemswLimit, OomControl, IoServiceBytes, PidsCurrent, Procs];

    private static KeptFile? In(string? dir, string file) => dir is null ? null : new KeptFile(Path.Combine(dir, file));
}

/// <summary>v2 files, all in the one directory.</summary>
public sealed class CgroupV2Files(string dir)
{
    public KeptFile CpuStat { get; } = new(Path.Combine(dir, "cpu.stat"));
    public KeptFile CpuMax { get; } = new(Path.Combine(dir, "cpu.max"));
    public KeptFile CpuWeight { get; } = new(Path.Combine(dir, "cpu.weight"));
    public KeptFile MemoryCurrent { get; } = new(Path.Combine(dir, "memory.current"));
    public KeptFile MemoryStat { get; } = new(Path.Combine(dir, "memory.stat"));
    public KeptFile MemorySwap { get; } = new(Path.Combine(dir, "memory.swap.current"));
    public KeptFile MemoryEvents { get; } = new(Path.Combine(dir, "memory.events"));
    public KeptFile MemoryMax { get; } = new(Path.Combine(dir, "memory.max"));
    public KeptFile MemoryPeak { get; } = new(Path.Combine(dir, "memory.peak"));
    public KeptFile MemoryLow { get; } = new(Path.Combine(dir, "memory.low"));
    public KeptFile MemorySwapMax { get; } = new(Path.Combine(dir, "memory.swap.max"));
    public KeptFile IoStat { get; } = new(Path.Combine(dir, "io.stat"));
    public KeptFile PidsCurrent { get; } = new(Path.Combine(dir, "pids.current"));
    public KeptFile Procs { get; } = new(Path.Combine(dir, "cgroup.procs"));

    public IEnumerable<KeptFile?> All =>
        [CpuStat, CpuMax, CpuWeight, MemoryCurrent, MemoryStat, MemorySwap, MemoryEvents, MemoryMax, MemoryPeak, MemoryLow, MemorySwapMax, IoStat, PidsCurrent, Procs];
}
