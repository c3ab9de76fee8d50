namespace Agent.Logs;

/// <summary>
/// Timestamps for read lines: wall-clock time, but strictly increasing within a stream. Never
/// backwards (a clock step, a rotated file's tail drained after the new file's first lines),
/// because Loki rejects entries older than the last of their stream when ordering is enforced;
/// never equal, because Loki keeps only one of two entries with the same time and text, and
/// repeated identical lines read in one burst would otherwise share a timestamp.
/// </summary>
public sealed class StreamClock(Func<long>? nowNs = null)
{
    private readonly Func<long> _now = nowNs ?? (() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100);
    private readonly Dictionary<string, long> _last = new(StringComparer.Ordinal);

    public long Next(string selector)
    {
        var now = _now();
        if (_last.TryGetValue(selector, out var last) && now <= last) now = last + 1;
        _last[selector] = now;
        return now;
    }
}
