namespace Agent.Collectors.Host.Procfs;

/// <summary>
/// /proc/net/softnet_stat: one line per CPU of hexadecimal counters; the first three are
/// packets processed, dropped (backlog full) and times net_rx_action ran out of quota.
/// </summary>
public static class SoftnetParser
{
    public readonly record struct Line(long Processed, long Dropped, long TimesSqueezed);

    /// <summary>False for a line with fewer than three hex fields; the caller names the file and line.</summary>
    public static bool TryParseLine(ReadOnlySpan<byte> text, out Line line)
    {
        line = default;
        var fields = new FieldEnumerator(text);
        Span<long> values = stackalloc long[3];
        for (var i = 0; i < values.Length; i++)
        {
            if (!fields.MoveNext() || !ProcNumbers.TryParseHex(fields.Current, out values[i])) return false;
        }
        line = new Line(values[0], values[1], values[2]);
        return true;
    }
}
