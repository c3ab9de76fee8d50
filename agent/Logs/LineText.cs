using System.Text;

namespace Agent.Logs;

/// <summary>
/// How every log source turns the bytes of one line into what is sent: cut at max_line_size
/// with a visible marker, and always valid UTF-8.
/// </summary>
public static class LineText
{
    /// <summary>Appended to a line cut at max_line_size; the cut leaves room for it.</summary>
    public const string TruncatedMarker = " …[truncated]";

    private static readonly int MarkerBytes = Encoding.UTF8.GetByteCount(TruncatedMarker);

    /// <summary>The part of a line that is kept: room for the marker when it was too long, else without a trailing \r.</summary>
    public static ReadOnlySpan<byte> Cut(ReadOnlySpan<byte> raw, bool truncated, int maxLineBytes)
    {
        if (truncated) return raw[..Math.Min(raw.Length, maxLineBytes - MarkerBytes)];
        return raw.Length > 0 && raw[^1] == (byte)'\r' ? raw[..^1] : raw;
    }

    /// <summary>
    /// The line as valid UTF-8: most lines already are and are copied as they are; invalid
    /// sequences (binary garbage, a cut through a character) become U+FFFD, because Loki
    /// rejects a push with invalid UTF-8 in it.
    /// </summary>
    public static byte[] ValidUtf8(ReadOnlySpan<byte> kept, bool truncated)
    {
        if (System.Text.Unicode.Utf8.IsValid(kept) && !truncated) return kept.ToArray();
        var text = Encoding.UTF8.GetString(kept);
        return Encoding.UTF8.GetBytes(truncated ? text + TruncatedMarker : text);
    }
}
