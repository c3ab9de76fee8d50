using System.Text;

namespace Agent.Collectors.Exposition;

/// <summary>
/// One string per distinct name or short label value, so the many series of a target share
/// "cpu", "idle" and "node_cpu_seconds_total" instead of each holding copies. Whoever owns a
/// pool bounds it (a target exposing ids would otherwise grow it for ever): dropping the pool
/// is always safe, strings already handed out stay valid.
/// </summary>
public sealed class StringPool
{
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

    public int Count => _strings.Count;

    /// <summary>Values longer than this are rarely shared; they are decoded, not pooled.</summary>
    public const int MaxPooledValueBytes = 64;

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

    /// <param name="utf8">Valid UTF-8 (a label value).</param>
    public string GetUtf8(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxPooledValueBytes) return Encoding.UTF8.GetString(utf8);
        Span<char> chars = stackalloc char[MaxPooledValueBytes];
        var length = Encoding.UTF8.GetChars(utf8, chars);
        var lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(chars[..length], out var existing)) return existing;
        var created = new string(chars[..length]);
        _strings[created] = created;
        return created;
    }
}
