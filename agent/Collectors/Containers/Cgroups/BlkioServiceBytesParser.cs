using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Containers.Cgroups;

/// <summary>
/// v1 blkio.throttle.io_service_bytes: "MAJ:MIN Operation bytes" per line and a closing
/// "Total N" over all devices, which cAdvisor does not report and is skipped.
/// </summary>
public static class BlkioServiceBytesParser
{
    public static void Parse(ReadOnlySpan<byte> content, List<BlkioEntry> into)
    {
        foreach (var line in new LineEnumerator(content))
        {
            var fields = new FieldEnumerator(line);
            if (!fields.MoveNext() || !TryParseDevice(fields.Current, out var major, out var minor)) continue;
            if (!fields.MoveNext() || BlkioOperations.Of(fields.Current) is not { } operation) continue;
            if (!fields.MoveNext() || !ProcNumbers.TryParseLong(fields.Current, out var bytes)) continue;
            into.Add(new BlkioEntry(major, minor, operation, bytes));
        }
    }

    internal static bool TryParseDevice(ReadOnlySpan<byte> text, out int major, out int minor)
    {
        major = minor = 0;
        var colon = text.IndexOf((byte)':');
        return colon > 0
            && System.Buffers.Text.Utf8Parser.TryParse(text[..colon], out major, out var a) && a == colon
            && System.Buffers.Text.Utf8Parser.TryParse(text[(colon + 1)..], out minor, out var b) && b == text.Length - colon - 1;
    }
}
