using System.Buffers.Text;

namespace Agent.Collectors.Host.Procfs;

/// <summary>Number parsing helpers for pseudo-files: leading/trailing whitespace tolerated, anything else is false.</summary>
public static class ProcNumbers
{
    public static bool TryParseLong(ReadOnlySpan<byte> text, out long value)
    {
        text = text.Trim(" \t\r\n"u8);
        return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length && text.Length > 0;
    }

    public static bool TryParseDouble(ReadOnlySpan<byte> text, out double value)
    {
        text = text.Trim(" \t\r\n"u8);
        return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length && text.Length > 0;
    }

    /// <summary>Hex as the kernel writes it, with or without 0x.</summary>
    public static bool TryParseHex(ReadOnlySpan<byte> text, out long value)
    {
        text = text.Trim(" \t\r\n"u8);
        if (text.StartsWith("0x"u8)) text = text[2..];
        return Utf8Parser.TryParse(text, out value, out var consumed, 'x') && consumed == text.Length && text.Length > 0;
    }

    /// <summary>The value of "key value" lines (/proc/stat, /proc/vmstat) for one key, or false.</summary>
    public static bool TryFindKeyed(ReadOnlySpan<byte> content, ReadOnlySpan<byte> key, out long value)
    {
        foreach (var line in new LineEnumerator(content))
        {
            if (line.Length > key.Length && line.StartsWith(key) && line[key.Length] == (byte)' ')
            {
                var fields = new FieldEnumerator(line[key.Length..]);
                if (fields.MoveNext() && TryParseLong(fields.Current, out value)) return true;
            }
        }
        value = 0;
        return false;
    }
}
