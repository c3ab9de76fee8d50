using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Containers.Cgroups;

/// <summary>
/// v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" per device. runc maps
/// rbytes/wbytes to v1's Read/Write, which is what cAdvisor's blkio and fs series show.
/// </summary>
public static class IoStatParser
{
    public static void Parse(ReadOnlySpan<byte> content, List<BlkioEntry> into)
    {
        foreach (var line in new LineEnumerator(content))
        {
            var fields = new FieldEnumerator(line);
            if (!fields.MoveNext() || !BlkioServiceBytesParser.TryParseDevice(fields.Current, out var major, out var minor)) continue;
            while (fields.MoveNext())
            {
                var pair = fields.Current;
                var eq = pair.IndexOf((byte)'=');
                if (eq <= 0 || !ProcNumbers.TryParseLong(pair[(eq + 1)..], out var value)) continue;
                var key = pair[..eq];
                if (key.SequenceEqual("rbytes"u8)) into.Add(new BlkioEntry(major, minor, BlkioOperations.Read, value));
                else if (key.SequenceEqual("wbytes"u8)) into.Add(new BlkioEntry(major, minor, BlkioOperations.Write, value));
            }
        }
    }
}
