using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Containers.Cgroups;

/// <summary>The memory.stat figures cAdvisor reports, named as cAdvisor names them.</summary>
public readonly record struct MemoryStat(long Rss, long Cache, long Swap, long InactiveFile, long MappedFile = 0);

/// <summary>
/// memory.stat, "key value" per line. v1 has a hierarchical total_* twin of every key, which
/// cAdvisor prefers (use_hierarchy is always on for Docker's cgroups); v2 counts the subtree
/// already and names rss "anon" and cache "file".
/// </summary>
public static class MemoryStatParser
{
    public static MemoryStat ParseV1(ReadOnlySpan<byte> content)
    {
        long rss = 0, cache = 0, swap = 0, inactiveFile = 0, mapped = 0;
        long totalRss = -1, totalCache = -1, totalSwap = -1, totalInactiveFile = -1, totalMapped = -1;
        foreach (var line in new LineEnumerator(content))
        {
            if (!TrySplit(line, out var key, out var value)) continue;
            if (key.SequenceEqual("rss"u8)) rss = value;
            else if (key.SequenceEqual("cache"u8)) cache = value;
            else if (key.SequenceEqual("swap"u8)) swap = value;
            else if (key.SequenceEqual("inactive_file"u8)) inactiveFile = value;
            else if (key.SequenceEqual("mapped_file"u8)) mapped = value;
            else if (key.SequenceEqual("total_mapped_file"u8)) totalMapped = value;
            else if (key.SequenceEqual("total_rss"u8)) totalRss = value;
            else if (key.SequenceEqual("total_cache"u8)) totalCache = value;
            else if (key.SequenceEqual("total_swap"u8)) totalSwap = value;
            else if (key.SequenceEqual("total_inactive_file"u8)) totalInactiveFile = value;
        }
        return new MemoryStat(
            totalRss >= 0 ? totalRss : rss,
            totalCache >= 0 ? totalCache : cache,
            totalSwap >= 0 ? totalSwap : swap,
            totalInactiveFile >= 0 ? totalInactiveFile : inactiveFile,
            totalMapped >= 0 ? totalMapped : mapped);
    }

    /// <summary>Swap is not in v2's memory.stat (it is memory.swap.current); it stays 0 here.</summary>
    public static MemoryStat ParseV2(ReadOnlySpan<byte> content)
    {
        long anon = 0, file = 0, inactiveFile = 0, mapped = 0;
        foreach (var line in new LineEnumerator(content))
        {
            if (!TrySplit(line, out var key, out var value)) continue;
            if (key.SequenceEqual("anon"u8)) anon = value;
            else if (key.SequenceEqual("file"u8)) file = value;
            else if (key.SequenceEqual("inactive_file"u8)) inactiveFile = value;
            else if (key.SequenceEqual("file_mapped"u8)) mapped = value;
        }
        return new MemoryStat(anon, file, 0, inactiveFile, mapped);
    }

    /// <summary>"key value" as in memory.stat, cpu.stat, memory.events, cpuacct.stat.</summary>
    internal static bool TrySplit(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> key, out long value)
    {
        var space = line.IndexOf((byte)' ');
        if (space <= 0)
        {
            key = default;
            value = 0;
            return false;
        }
        key = line[..space];
        return ProcNumbers.TryParseLong(line[(space + 1)..], out value);
    }
}
