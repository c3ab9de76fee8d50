namespace Agent.Collectors.Containers.Cgroups;

/// <summary>
/// One container's cgroup figures for one cycle, already in cAdvisor's units (seconds, bytes).
/// Reused for every container of a cycle: a reader clears it, then sets the groups it could
/// read; a group whose flag is false is absent on this host (controller off, old kernel).
/// </summary>
public sealed class CgroupStats
{
    public bool HasCpu { get; set; }
    public double UsageSeconds { get; set; }
    public double UserSeconds { get; set; }
    public double SystemSeconds { get; set; }

    public bool HasCfs { get; set; }
    public long Periods { get; set; }
    public long ThrottledPeriods { get; set; }
    public double ThrottledSeconds { get; set; }

    public bool HasMemory { get; set; }
    public long MemoryUsage { get; set; }
    public long WorkingSet { get; set; }
    public long Rss { get; set; }
    public long Cache { get; set; }
    public long Swap { get; set; }
    public long Failcnt { get; set; }
    public long MappedFile { get; set; }

    /// <summary>v1 memory.max_usage_in_bytes, v2 memory.peak (kernels from 5.19); absent on older v2 kernels.</summary>
    public bool HasMaxUsage { get; set; }
    public long MaxUsage { get; set; }

    public bool HasOomEvents { get; set; }
    public long OomEvents { get; set; }

    /// <summary>Limits and shares; read on a container's first cycle and then every few (see <see cref="CgroupSpec"/>).</summary>
    public CgroupSpec Spec { get; set; }

    public bool HasThreads { get; set; }
    public long Threads { get; set; }
    public bool HasProcesses { get; set; }
    public long Processes { get; set; }

    /// <summary>Bytes per device and operation (Read, Write, ...); empty without io accounting.</summary>
    public List<BlkioEntry> Io { get; } = new(8);

    public void Clear()
    {
        HasCpu = HasCfs = HasMemory = HasOomEvents = HasThreads = HasProcesses = HasMaxUsage = false;
        UsageSeconds = UserSeconds = SystemSeconds = ThrottledSeconds = 0;
        Periods = ThrottledPeriods = MemoryUsage = WorkingSet = Rss = Cache = Swap = Failcnt = OomEvents = 0;
        Threads = Processes = MappedFile = MaxUsage = 0;
        Spec = default;
        Io.Clear();
    }

    /// <summary>Throttling from cpu.stat: nr_periods is there only while CFS bandwidth control is on.</summary>
    public void SetCfs(in CpuStat cpu)
    {
        if (!cpu.HasCfs) return;
        HasCfs = true;
        Periods = cpu.Periods;
        ThrottledPeriods = cpu.ThrottledPeriods;
        ThrottledSeconds = cpu.ThrottledNanoseconds / 1e9;
    }

    /// <summary>Usage with memory.stat's breakdown; without memory.stat the working set is the usage.</summary>
    public void SetMemory(long usage, MemoryStat? stat)
    {
        HasMemory = true;
        MemoryUsage = usage;
        if (stat is not { } s)
        {
            WorkingSet = usage;
            return;
        }
        Rss = s.Rss;
        Cache = s.Cache;
        MappedFile = s.MappedFile;
        Swap = s.Swap;
        WorkingSet = WorkingSetOf(usage, s.InactiveFile);
    }

    /// <summary>cAdvisor's working set: usage minus inactive file pages, never below zero.</summary>
    public static long WorkingSetOf(long usage, long inactiveFile) => inactiveFile < usage ? usage - inactiveFile : 0;
}

/// <summary>
/// A container's limits as cAdvisor's container_spec_* report them. They change only through
/// `docker update`, so they are read when a container is first seen and then every
/// <see cref="ReadEvery"/> cycles, not every cycle: four to five files fewer per container.
/// </summary>
/// <param name="MemoryLimit">A double because "unlimited" is 2^64-1 on v2 (cAdvisor reports it as is).</param>
/// <param name="CpuQuota">0 when unlimited: cAdvisor then emits no quota series.</param>
/// <param name="CpuPeriod">0 when unknown: cAdvisor then emits no period series.</param>
public readonly record struct CgroupSpec(bool HasMemoryLimit, double MemoryLimit, bool HasCpuShares, long CpuShares, long CpuQuota, long CpuPeriod)
{
    public const int ReadEvery = 8;

    /// <summary>v1 memory.soft_limit_in_bytes, v2 memory.low: cAdvisor's container_spec_memory_reservation_limit_bytes.</summary>
    public bool HasReservation { get; init; }
    public double Reservation { get; init; }

    /// <summary>v1 memory.memsw.limit_in_bytes (memory plus swap), v2 memory.swap.max, as cAdvisor reads them.</summary>
    public bool HasSwapLimit { get; init; }
    public double SwapLimit { get; init; }
}

/// <summary>One "major:minor operation bytes" figure; <see cref="Operation"/> is one of <see cref="BlkioOperations"/>.</summary>
public readonly record struct BlkioEntry(int Major, int Minor, string Operation, long Bytes);

/// <summary>The operation names cAdvisor labels blkio series with (runc's names, v1 spelling).</summary>
public static class BlkioOperations
{
    public const string Read = "Read";
    public const string Write = "Write";
    public const string Sync = "Sync";
    public const string Async = "Async";
    public const string Discard = "Discard";
    public const string Total = "Total";

    /// <summary>The shared string for a v1 operation column, so entries never allocate; null if unknown.</summary>
    public static string? Of(ReadOnlySpan<byte> name) => name switch
    {
        _ when name.SequenceEqual("Read"u8) => Read,
        _ when name.SequenceEqual("Write"u8) => Write,
        _ when name.SequenceEqual("Sync"u8) => Sync,
        _ when name.SequenceEqual("Async"u8) => Async,
        _ when name.SequenceEqual("Discard"u8) => Discard,
        _ when name.SequenceEqual("Total"u8) => Total,
        _ => null,
    };
}
