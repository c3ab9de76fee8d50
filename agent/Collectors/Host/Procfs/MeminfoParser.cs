using System.Buffers.Text;

namespace Agent.Collectors.Host.Procfs;

/// <summary>
/// /proc/meminfo lines "Name:   value [kB]". The callback gets the raw name (without the colon),
/// the value, and whether a kB unit followed (node_exporter then reports bytes).
/// </summary>
public static class MeminfoParser
{
    public delegate void Field(ReadOnlySpan<byte> name, ulong value, bool kilobytes);

    public static void Parse(ReadOnlySpan<byte> content, Field onField)
    {
        foreach (var line in new LineEnumerator(content))
        {
            var fields = new FieldEnumerator(line);
            if (!fields.MoveNext()) continue;
            var name = fields.Current;
            if (name.Length < 2 || name[^1] != (byte)':') continue;
            if (!fields.MoveNext() || !Utf8Parser.TryParse(fields.Current, out ulong value, out var consumed) || consumed != fields.Current.Length) continue;
            var kilobytes = fields.MoveNext() && fields.Current.SequenceEqual("kB"u8);
            onField(name[..^1], value, kilobytes);
        }
    }
}
