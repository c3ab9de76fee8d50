using System.Text;
using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's sockstat collector: /proc/net/sockstat and sockstat6 as
/// node_sockstat_{PROTO}_{field}; "mem" (pages) also as _mem_bytes.
/// </summary>
public sealed class SockstatCollector(HostPaths paths) : ICollector
{
    private readonly string[] _files = [paths.ProcFile("net/sockstat"), paths.ProcFile("net/sockstat6")];
    private readonly ProcFileReader _reader = new(1024);
    // Names are cached by position in the files (stable across cycles), compared by raw bytes.
    private readonly List<(byte[] Protocol, byte[] Field, string Name, string Help)> _names = [];
    private int _position;
    private readonly double _pageSize = Environment.SystemPageSize;

    public string Name => "sockstat";

    public void Collect(List<MetricFamily> into)
    {
        var any = false;
        _position = 0;
        foreach (var file in _files)
        {
            if (!_reader.TryRead(file, out var content)) continue;
            any = true;
            foreach (var line in new LineEnumerator(content))
            {
                var colon = line.IndexOf((byte)':');
                if (colon <= 0) continue;
                var protocol = line[..colon];
                var fields = new FieldEnumerator(line[(colon + 1)..]);
                while (fields.MoveNext())
                {
                    var key = fields.Current;
                    if (!fields.MoveNext() || !ProcNumbers.TryParseLong(fields.Current, out var value)) break;
                    if (protocol.SequenceEqual("sockets"u8))
                    {
                        into.AddGauge("node_sockstat_sockets_used", "Number of IPv4 sockets in use.", value);
                        continue;
                    }
                    var (name, help) = NameOf(protocol, key, bytes: false);
                    into.AddGauge(name, help, value);
                    if (key.SequenceEqual("mem"u8))
                    {
                        var (bytesName, bytesHelp) = NameOf(protocol, key, bytes: true);
                        into.AddGauge(bytesName, bytesHelp, value * _pageSize);
                    }
                }
            }
        }
        if (!any) throw new IOException($"cannot read {_files[0]}");
    }

    private (string, string) NameOf(ReadOnlySpan<byte> protocol, ReadOnlySpan<byte> field, bool bytes)
    {
        var at = _position++;
        if (at < _names.Count && _names[at].Protocol.AsSpan().SequenceEqual(protocol) && _names[at].Field.AsSpan().SequenceEqual(field))
        {
            return (_names[at].Name, _names[at].Help);
        }
        var p = Encoding.ASCII.GetString(protocol);
        var f = Encoding.ASCII.GetString(field) + (bytes ? "_bytes" : "");
        var entry = (protocol.ToArray(), field.ToArray(), $"node_sockstat_{p}_{f}", $"Number of {p} sockets in state {f}.");
        if (at < _names.Count) _names[at] = entry;
        else _names.Add(entry);
        return (entry.Item3, entry.Item4);
    }
}
