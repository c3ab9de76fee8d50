namespace Agent.Collectors.Containers.Cgroups;

/// <summary>
/// One container's cgroup, resolved once per container: the path cAdvisor prints as label id
/// ("/docker/ID", "/system.slice/docker-ID.scope") and the files to read, built once so that
/// a cycle concatenates no paths. Exactly one of <see cref="V1"/> and <see cref="V2"/> is set.
/// </summary>
public sealed record ContainerCgroup(string Name, CgroupV1Files? V1, CgroupV2Files? V2);

/// <summary>v1 files, one directory per controller; a controller that is not mounted leaves its files null.</summary>
public sealed class CgroupV1Files(string? cpu, string? cpuacct, string? memory, string? blkio, string? pids)
{
    public string? CpuacctUsage { get; } = In(cpuacct, "cpuacct.usage");
    public string? CpuacctStat { get; } = In(cpuacct, "cpuacct.stat");
    public string? CpuStat { get; } = In(cpu, "cpu.stat");
    public string? CfsQuota { get; } = In(cpu, "cpu.cfs_quota_us");
    public string? CfsPeriod { get; } = In(cpu, "cpu.cfs_period_us");
    public string? Shares { get; } = In(cpu, "cpu.shares");
    public string? MemoryUsage { get; } = In(memory, "memory.usage_in_bytes");
    public string? MemoryStat { get; } = In(memory, "memory.stat");
    public string? MemoryFailcnt { get; } = In(memory, "memory.failcnt");
    public string? MemoryLimit { get; } = In(memory, "memory.limit_in_bytes");
    public string? OomControl { get; } = In(memory, "memory.oom_control");
    public string? IoServiceBytes { get; } = In(blkio, "blkio.throttle.io_service_bytes");
    public string? PidsCurrent { get; } = In(pids, "pids.current");
    /// <summary>Every v1 hierarchy has cgroup.procs; the pids one is preferred, memory is the fallback.</summary>
    public string? Procs { get; } = In(pids ?? memory ?? cpu, "cgroup.procs");

    private static string? In(string? dir, string file) => dir is null ? null : Path.Combine(dir, file);
}

/// <summary>v2 files, all in the one directory.</summary>
public sealed class CgroupV2Files(string dir)
{
    public string CpuStat { get; } = Path.Combine(dir, "cpu.stat");
    public string CpuMax { get; } = Path.Combine(dir, "cpu.max");
    public string CpuWeight { get; } = Path.Combine(dir, "cpu.weight");
    public string MemoryCurrent { get; } = Path.Combine(dir, "memory.current");
    public string MemoryStat { get; } = Path.Combine(dir, "memory.stat");
    public string MemorySwap { get; } = Path.Combine(dir, "memory.swap.current");
    public string MemoryEvents { get; } = Path.Combine(dir, "memory.events");
    public string MemoryMax { get; } = Path.Combine(dir, "memory.max");
    public string IoStat { get; } = Path.Combine(dir, "io.stat");
    public string PidsCurrent { get; } = Path.Combine(dir, "pids.current");
    public string Procs { get; } = Path.Combine(dir, "cgroup.procs");
}
