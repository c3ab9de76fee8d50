using System.Text;

namespace Agent.Collectors.Exposition;

/// <summary>
/// One string per distinct ASCII name (metric and label names), so the many series of a target
/// share "cpu", "mode" and "node_cpu_seconds_total" instead of holding copies. Names only:
/// label values may be unbounded (ids, paths) and would make the pool grow without end.
/// </summary>
public sealed class StringPool
{
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

    public int Count => _strings.Count;

    /// <param name="ascii">Bytes already validated as a metric or label name.</param>
    public string Get(ReadOnlySpan<byte> ascii)
    {
        Span<char> chars = ascii.Length <= 256 ? stackalloc char[ascii.Length] : new char[ascii.Length];
        for (var i = 0; i < ascii.Length; i++) chars[i] = (char)ascii[i];
        var lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(chars, out var existing)) return existing;
        var created = Encoding.ASCII.GetString(ascii);
        _strings[created] = created;
        return created;
    }
}
