using System.Text;
using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's netstat collector: /proc/net/netstat and /proc/net/snmp (header/value line
/// pairs) and /proc/net/snmp6 ("Ip6InReceives  2"), filtered by node_exporter's default
/// field list. Whether a field is wanted is decided once per name, not per cycle.
/// </summary>
public sealed class NetstatCollector(HostPaths paths) : ICollector
{
    private readonly string _netstat = paths.ProcFile("net/netstat");
    private readonly string _snmp = paths.ProcFile("net/snmp");
    private readonly string _snmp6 = paths.ProcFile("net/snmp6");
    private readonly ProcFileReader _reader = new();
    private readonly Dictionary<string, (string Name, string Help)?> _names = new(StringComparer.Ordinal);
    private readonly List<(byte[] Protocol, byte[] Field, (string Name, string Help)? Metric)> _byPosition = [];
    private int _position;

    public string Name => "netstat";

    public void Collect(List<MetricFamily> into)
    {
        _position = 0;
        var any = false;
        foreach (var path in (ReadOnlySpan<string>)[_netstat, _snmp])
        {
            if (!_reader.TryRead(path, out var content)) continue;
            any = true;
            var lines = new LineEnumerator(content);
            while (lines.MoveNext())
            {
                var header = lines.Current;
                if (!lines.MoveNext()) break;
                var values = lines.Current;
                var colon = header.IndexOf((byte)':');
                if (colon <= 0 || !values.StartsWith(header[..(colon + 1)])) continue;
                var protocol = header[..colon];
                var names = new FieldEnumerator(header[(colon + 1)..]);
                var numbers = new FieldEnumerator(values[(colon + 1)..]);
                while (names.MoveNext() && numbers.MoveNext())
                {
                    Emit(into, protocol, names.Current, numbers.Current);
                }
            }
        }
        if (_reader.TryRead(_snmp6, out var snmp6))
        {
            foreach (var line in new LineEnumerator(snmp6))
            {
                var fields = new FieldEnumerator(line);
                if (!fields.MoveNext()) continue;
                var key = fields.Current;
                var six = key.IndexOf((byte)'6');
                if (six < 0 || !fields.MoveNext()) continue;
                Emit(into, key[..(six + 1)], key[(six + 1)..], fields.Current);
            }
        }
        if (!any) throw new IOException($"cannot read {_netstat}");
    }

    private void Emit(List<MetricFamily> into, ReadOnlySpan<byte> protocol, ReadOnlySpan<byte> field, ReadOnlySpan<byte> number)
    {
        if (NameAt(protocol, field) is not { } metric || !ProcNumbers.TryParseDouble(number, out var value)) return;
        into.AddSingle(metric.Name, metric.Help, MetricType.Untyped, value);
    }

    private (string Name, string Help)? NameAt(ReadOnlySpan<byte> protocol, ReadOnlySpan<byte> field)
    {
        var at = _position++;
        if (at < _byPosition.Count && _byPosition[at].Protocol.AsSpan().SequenceEqual(protocol) && _byPosition[at].Field.AsSpan().SequenceEqual(field))
        {
            return _byPosition[at].Metric;
        }
        var p = Encoding.ASCII.GetString(protocol);
        var f = Encoding.ASCII.GetString(field);
        var key = p + "_" + f;
        if (!_names.TryGetValue(key, out var name))
        {
            name = Wanted(key) ? ("node_netstat_" + key, $"Statistic {p}{f}.") : null;
            _names[key] = name;
        }
        var entry = (protocol.ToArray(), field.ToArray(), name);
        if (at < _byPosition.Count) _byPosition[at] = entry;
        else _byPosition.Add(entry);
        return name;
    }

    /// <summary>
    /// node_exporter's default --collector.netstat.fields:
    /// ^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$
    /// </summary>
    internal static bool Wanted(string key)
    {
        var underscore = key.IndexOf('_');
        if (underscore < 0) return false;
        var protocol = key[..underscore];
        var field = key[(underscore + 1)..];
        if (field is "InErrors" or "InErrs") return true;
        return protocol switch
        {
            "Ip" => field == "Forwarding",
            "Ip6" or "IpExt" => field is "InOctets" or "OutOctets",
            "Icmp" or "Icmp6" => field is "InMsgs" or "OutMsgs",
            "TcpExt" => field.StartsWith("Listen", StringComparison.Ordinal) || field.StartsWith("Syncookies", StringComparison.Ordinal) || field is "TCPSynRetrans" or "TCPTimeouts",
            "Tcp" => field is "ActiveOpens" or "InSegs" or "OutSegs" or "OutRsts" or "PassiveOpens" or "RetransSegs" or "CurrEstab",
            "Udp" or "Udp6" => field is "InDatagrams" or "OutDatagrams" or "NoPorts" or "RcvbufErrors" or "SndbufErrors",
            _ => false,
        };
    }
}
