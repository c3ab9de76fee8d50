using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Containers.Cgroups;

/// <summary>Single-value cgroup files (memory.max, memory.limit_in_bytes, cpu.weight, pids.current...).</summary>
public static class CgroupValueParser
{
    /// <summary>v2 writes "max" for no limit; cAdvisor reports that as 2^64-1, so do we.</summary>
    public const double Unlimited = ulong.MaxValue;

    public static bool TryParseLimit(ReadOnlySpan<byte> content, out double value)
    {
        if (content.Trim(" \n"u8).SequenceEqual("max"u8))
        {
            value = Unlimited;
            return true;
        }
        if (ProcNumbers.TryParseLong(content, out var n))
        {
            value = n;
            return true;
        }
        // v1's unlimited (PAGE_COUNTER_MAX pages) fits a long; anything larger is a bigger unsigned.
        var trimmed = content.Trim(" \n"u8);
        if (System.Buffers.Text.Utf8Parser.TryParse(trimmed, out ulong big, out var consumed) && consumed == trimmed.Length)
        {
            value = big;
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>
    /// cAdvisor's conversion of cpu.weight [1, 10000] to the v1 shares scale [2, 262144]
    /// (the Kubernetes KEP-2254 formula); false outside the kernel's range.
    /// </summary>
    public static bool TryWeightToShares(long weight, out long shares)
    {
        if (weight is < 1 or > 10000)
        {
            shares = 0;
            return false;
        }
        shares = 2 + (weight - 1) * 262142 / 9999;
        return true;
    }

    /// <summary>Lines in cgroup.procs: one PID each.</summary>
    public static long CountLines(ReadOnlySpan<byte> content)
    {
        long count = 0;
        foreach (var line in new LineEnumerator(content))
        {
            if (!line.IsEmpty) count++;
        }
        return count;
    }
}
