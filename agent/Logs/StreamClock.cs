namespace Agent.Logs;

/// <summary>
/// Timestamps for read lines: wall-clock time, but never going backwards within a stream
/// (a clock step or a rotated file's tail drained after the new file's first lines), because
/// Loki rejects entries older than the last one of their stream when ordering is enforced.
/// </summary>
public sealed class StreamClock(Func<long>? nowNs = null)
{
    private readonly Func<long> _now = nowNs ?? (() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100);
    private readonly Dictionary<string, long> _last = new(StringComparer.Ordinal);

    public long Next(string selector)
    {
        var now = _now();
        if (_last.TryGetValue(selector, out var last) && now < last) now = last;
        _last[selector] = now;
        return now;
    }
}
