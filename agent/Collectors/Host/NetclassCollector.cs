using System.Text.RegularExpressions;
using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's netclass collector: /sys/class/net/&lt;iface&gt; attributes. An attribute the
/// kernel refuses to read for a device (speed of lo, duplex of a virtual link) is left out
/// for that device, as node_exporter does.
/// </summary>
public sealed class NetclassCollector : ICollector
{
    public const string DefaultIgnoredDevices = "^$";

    private enum Parse { Decimal, Hex }

    private static readonly (string File, string Metric, MetricType Type, Parse Parse, double Scale)[] Properties =
    [
        ("addr_assign_type", "address_assign_type", MetricType.Gauge, Parse.Decimal, 1),
        ("carrier", "carrier", MetricType.Gauge, Parse.Decimal, 1),
        ("carrier_changes", "carrier_changes_total", MetricType.Counter, Parse.Decimal, 1),
        ("carrier_up_count", "carrier_up_changes_total", MetricType.Counter, Parse.Decimal, 1),
        ("carrier_down_count", "carrier_down_changes_total", MetricType.Counter, Parse.Decimal, 1),
        ("dev_id", "device_id", MetricType.Gauge, Parse.Hex, 1),
        ("dormant", "dormant", MetricType.Gauge, Parse.Decimal, 1),
        ("flags", "flags", MetricType.Gauge, Parse.Hex, 1),
        ("ifindex", "iface_id", MetricType.Gauge, Parse.Decimal, 1),
        ("iflink", "iface_link", MetricType.Gauge, Parse.Decimal, 1),
        ("link_mode", "iface_link_mode", MetricType.Gauge, Parse.Decimal, 1),
        ("mtu", "mtu_bytes", MetricType.Gauge, Parse.Decimal, 1),
        ("name_assign_type", "name_assign_type", MetricType.Gauge, Parse.Decimal, 1),
        ("netdev_group", "net_dev_group", MetricType.Gauge, Parse.Decimal, 1),
        ("speed", "speed_bytes", MetricType.Gauge, Parse.Decimal, 125_000),
        ("tx_queue_len", "transmit_queue_length", MetricType.Gauge, Parse.Decimal, 1),
        ("type", "protocol_type", MetricType.Gauge, Parse.Decimal, 1),
    ];

    private readonly string _root;
    private readonly Regex _ignored;
    private readonly ProcFileReader _reader = new(256);

    public NetclassCollector(HostPaths paths, string? ignoredDevices = null)
    {
        _root = paths.SysFile("class/net");
        _ignored = new Regex(ignoredDevices ?? DefaultIgnoredDevices, RegexOptions.CultureInvariant);
    }

    public string Name => "netclass";

    public void Collect(List<MetricFamily> into)
    {
        if (!Directory.Exists(_root)) return;
        var families = new MetricFamily[Properties.Length];
        for (var i = 0; i < Properties.Length; i++)
        {
            families[i] = new MetricFamily("node_network_" + Properties[i].Metric, "Network device property: " + Properties[i].Metric, Properties[i].Type);
        }
        var info = new MetricFamily("node_network_info", "Non-numeric data from /sys/class/net/<iface>, value is always 1.", MetricType.Gauge);
        var up = new MetricFamily("node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", MetricType.Gauge);
        foreach (var dir in Directory.EnumerateDirectories(_root).Order(StringComparer.Ordinal))
        {
            var device = Path.GetFileName(dir);
            if (_ignored.IsMatch(device)) continue;
            Label[] labels = [new("device", device)];
            for (var i = 0; i < Properties.Length; i++)
            {
                if (!_reader.TryRead(Path.Combine(dir, Properties[i].File), out var content)) continue;
                long value;
                var ok = Properties[i].Parse == Parse.Hex ? ProcNumbers.TryParseHex(content, out value) : ProcNumbers.TryParseLong(content, out value);
                if (ok) families[i].Add(labels, value * Properties[i].Scale);
            }
            var operstate = Text(dir, "operstate");
            info.Add(Labels.Sorted([
                new("address", Text(dir, "address")), new("broadcast", Text(dir, "broadcast")), new("device", device),
                new("duplex", Text(dir, "duplex")), new("ifalias", Text(dir, "ifalias")), new("operstate", operstate),
            ]), 1);
            up.Add(labels, operstate == "up" ? 1 : 0);
        }
        into.AddRange(families);
        into.Add(info);
        into.Add(up);
    }

    private string Text(string dir, string file) =>
        _reader.TryRead(Path.Combine(dir, file), out var content) ? System.Text.Encoding.UTF8.GetString(content.Trim(" \t\r\n"u8)) : "";
}
