using System.Text.Json;

namespace Agent.Logs.Processing;

/// <summary>
/// Finds a line's log level — a top-level "level", "lvl" or "severity" field of a JSON line,
/// or logfmt's level= — and normalises it to debug, info, warn, error, fatal or unknown, so the
/// `level` label has six values whatever the application writes.
/// </summary>
public static class LevelParser
{
    public const string Unknown = "unknown";

    public static string Parse(ReadOnlySpan<byte> line)
    {
        var trimmed = line.TrimStart(" \t"u8);
        if (!trimmed.IsEmpty && trimmed[0] == (byte)'{') return Json(trimmed) ?? Unknown;
        return Logfmt(line) ?? Unknown;
    }

    private static string? Json(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject) return null;
                if (reader.TokenType != JsonTokenType.PropertyName) return null;
                var isLevel = reader.ValueTextEquals("level"u8) || reader.ValueTextEquals("lvl"u8) || reader.ValueTextEquals("severity"u8);
                if (!reader.Read()) return null;
                if (isLevel && reader.TokenType == JsonTokenType.String)
                {
                    Span<byte> value = stackalloc byte[16];
                    var length = reader.HasValueSequence || reader.ValueSpan.Length > value.Length ? -1 : reader.CopyString(value);
                    return length < 0 ? Unknown : Normalise(value[..length]);
                }
                if (isLevel && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number)) return FromNumber(number);
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON after all (or truncated), or a level that is not valid UTF-8 (CopyString
            // refuses it; found by fuzzing): the level is unknown, the line is still sent.
        }
        return null;
    }

    private static string? Logfmt(ReadOnlySpan<byte> line)
    {
        foreach (var key in (ReadOnlySpan<byte[]>)[LevelKey, LvlKey])
        {
            var at = line.IndexOf(key);
            while (at >= 0)
            {
                if (at == 0 || line[at - 1] is (byte)' ' or (byte)'\t')
                {
                    var value = line[(at + key.Length)..];
                    if (!value.IsEmpty && value[0] == (byte)'"') value = value[1..];
                    var end = value.IndexOfAny(" \t\""u8);
                    return Normalise(end < 0 ? value : value[..end]);
                }
                var next = line[(at + 1)..].IndexOf(key);
                at = next < 0 ? -1 : at + 1 + next;
            }
        }
        return null;
    }

    private static readonly byte[] LevelKey = "level="u8.ToArray();
    private static readonly byte[] LvlKey = "lvl="u8.ToArray();

    public static string Normalise(ReadOnlySpan<byte> value)
    {
        Span<byte> lower = stackalloc byte[Math.Min(value.Length, 16)];
        if (value.Length > 16) return Unknown;
        for (var i = 0; i < value.Length; i++) lower[i] = (byte)(value[i] is >= (byte)'A' and <= (byte)'Z' ? value[i] + 32 : value[i]);
        return lower switch
        {
            _ when lower.SequenceEqual("debug"u8) || lower.SequenceEqual("dbg"u8) || lower.SequenceEqual("trace"u8) || lower.SequenceEqual("d"u8) => "debug",
            _ when lower.SequenceEqual("info"u8) || lower.SequenceEqual("information"u8) || lower.SequenceEqual("inf"u8) || lower.SequenceEqual("notice"u8) || lower.SequenceEqual("i"u8) => "info",
            _ when lower.SequenceEqual("warn"u8) || lower.SequenceEqual("warning"u8) || lower.SequenceEqual("wrn"u8) || lower.SequenceEqual("w"u8) => "warn",
            _ when lower.SequenceEqual("error"u8) || lower.SequenceEqual("err"u8) || lower.SequenceEqual("eror"u8) || lower.SequenceEqual("e"u8) => "error",
            _ when lower.SequenceEqual("fatal"u8) || lower.SequenceEqual("critical"u8) || lower.SequenceEqual("crit"u8) || lower.SequenceEqual("panic"u8)
                || lower.SequenceEqual("emerg"u8) || lower.SequenceEqual("alert"u8) || lower.SequenceEqual("f"u8) => "fatal",
            _ => Unknown,
        };
    }

    /// <summary>Numeric levels: syslog severities 0–7 (0 emergency … 7 debug).</summary>
    private static string FromNumber(int severity) => severity switch
    {
        <= 2 => "fatal",
        3 => "error",
        4 => "warn",
        5 or 6 => "info",
        7 => "debug",
        _ => Unknown,
    };
}
