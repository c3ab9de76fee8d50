using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Process.Procfs;

/// <summary>
/// The fields of /proc/[pid]/stat (or task/[tid]/stat) that process-exporter reports: times in
/// clock ticks, rss in pages, start in ticks since boot.
/// </summary>
public readonly record struct PidStat(
    byte State, int ParentPid, long MinorFaults, long MajorFaults, long UserTicks, long SystemTicks,
    long NumThreads, long StartTicks, long VirtualBytes, long ResidentPages);

public static class PidStatParser
{
    /// <summary>
    /// comm may hold spaces and parentheses, so it runs from the first '(' to the last ')';
    /// the numbered fields follow.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> content, out PidStat stat, out ReadOnlySpan<byte> comm)
    {
        stat = default;
        comm = default;
        var open = content.IndexOf((byte)'(');
        var close = content.LastIndexOf((byte)')');
        if (open < 0 || close < open) return false;
        comm = content[(open + 1)..close];
        if (!ProcNumbers.TryParseLong(content[..open], out var pid) || pid <= 0) return false;
        var fields = new FieldEnumerator(content[(close + 1)..]);
        if (!fields.MoveNext() || fields.Current.Length != 1) return false;
        var state = fields.Current[0];
        // Field numbers of proc(5) minus 3: ppid is field 4, rss field 24.
        Span<long> values = stackalloc long[22];
        for (var i = 1; i < values.Length; i++)
        {
            if (!fields.MoveNext() || !ProcNumbers.TryParseLong(fields.Current, out values[i])) return false;
        }
        stat = new PidStat(state, (int)values[1], values[7], values[9], values[11], values[12], values[17], values[19], values[20], values[21]);
        return true;
    }
}
