using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Containers.Cgroups;

/// <summary>cpu.stat in one unit whichever version wrote it. The Has flags say which lines were present.</summary>
public readonly record struct CpuStat(
    bool HasUsage, long UsageUsec, long UserUsec, long SystemUsec,
    bool HasCfs, long Periods, long ThrottledPeriods, long ThrottledNanoseconds);

/// <summary>
/// cpu.stat. v1 (cpu controller) has only the CFS lines, with throttled_time in nanoseconds;
/// v2 adds usage_usec/user_usec/system_usec and gives throttled_usec in microseconds.
/// </summary>
public static class CpuStatParser
{
    public static CpuStat Parse(ReadOnlySpan<byte> content)
    {
        bool hasUsage = false, hasCfs = false;
        long usage = 0, user = 0, system = 0, periods = 0, throttled = 0, throttledNs = 0;
        foreach (var line in new LineEnumerator(content))
        {
            if (!MemoryStatParser.TrySplit(line, out var key, out var value)) continue;
            if (key.SequenceEqual("usage_usec"u8)) { usage = value; hasUsage = true; }
            else if (key.SequenceEqual("user_usec"u8)) user = value;
            else if (key.SequenceEqual("system_usec"u8)) system = value;
            else if (key.SequenceEqual("nr_periods"u8)) { periods = value; hasCfs = true; }
            else if (key.SequenceEqual("nr_throttled"u8)) throttled = value;
            else if (key.SequenceEqual("throttled_time"u8)) throttledNs = value;
            else if (key.SequenceEqual("throttled_usec"u8)) throttledNs = value * 1000;
        }
        return new CpuStat(hasUsage, usage, user, system, hasCfs, periods, throttled, throttledNs);
    }
}
