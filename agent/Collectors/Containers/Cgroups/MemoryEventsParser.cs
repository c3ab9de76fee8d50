using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Containers.Cgroups;

/// <summary>
/// v2 memory.events ("low high max oom oom_kill" counters). v1's memory.oom_control has the
/// same "oom_kill N" line (kernel 4.13+) and no "max", so it parses here too.
/// </summary>
public static class MemoryEventsParser
{
    /// <param name="max">Times usage hit memory.max (v2's nearest to v1's memory.failcnt).</param>
    /// <param name="hasOomKill">False on kernels that do not count OOM kills per cgroup.</param>
    public static void Parse(ReadOnlySpan<byte> content, out long max, out long oomKill, out bool hasOomKill)
    {
        max = oomKill = 0;
        hasOomKill = false;
        foreach (var line in new LineEnumerator(content))
        {
            if (!MemoryStatParser.TrySplit(line, out var key, out var value)) continue;
            if (key.SequenceEqual("max"u8)) max = value;
            else if (key.SequenceEqual("oom_kill"u8)) { oomKill = value; hasOomKill = true; }
        }
    }
}
