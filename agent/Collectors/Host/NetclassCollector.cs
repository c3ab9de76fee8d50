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

    private static readonly string[] InfoFiles = ["address", "broadcast", "duplex", "ifalias", "operstate"];
    private static readonly string[] FamilyNames = [.. Properties.Select(p => "node_network_" + p.Metric)];
    private static readonly string[] FamilyHelps = [.. Properties.Select(p => "Network device property: " + p.Metric)];

    private readonly string _root;
    private readonly Regex _ignored;
    private readonly ProcFileReader _reader = new(256);
    private readonly DirectoryNames _names;
    private readonly SeenCache<DeviceState?> _devices = new();

    /// <summary>Per device: its attribute paths and label arrays, built once; info labels rebuilt only when a value changes.</summary>
    private sealed class DeviceState(string dir, string device)
    {
        public string Device { get; } = device;
        public Label[] Labels { get; } = [new("device", device)];
        public string[] PropertyPaths { get; } = [.. Properties.Select(p => Path.Combine(dir, p.File))];
        public string[] InfoPaths { get; } = [.. InfoFiles.Select(f => Path.Combine(dir, f))];
        public byte[][] InfoRaw { get; } = new byte[InfoFiles.Length][];
        public Label[]? Info { get; set; }
        public bool Up { get; set; }
    }

    public NetclassCollector(HostPaths paths, string? ignoredDevices = null)
    {
        _root = paths.SysFile("class/net");
        _names = new DirectoryNames(_root);
        _ignored = new Regex(ignoredDevices ?? DefaultIgnoredDevices, RegexOptions.CultureInvariant);
    }

    public string Name => "netclass";

    /// <summary>Devices remembered between cycles (for the bounded-state test).</summary>
    internal int CachedDevices => _devices.Count;

    public void Collect(List<MetricFamily> into)
    {
        if (!_names.TryRead()) return;
        var count = _names.Count;
        var families = new MetricFamily[Properties.Length];
        for (var i = 0; i < Properties.Length; i++)
        {
            families[i] = new MetricFamily(FamilyNames[i], FamilyHelps[i], Properties[i].Type, count);
        }
        var info = new MetricFamily("node_network_info", "Non-numeric data from /sys/class/net/<iface>, value is always 1.", MetricType.Gauge, count);
        var up = new MetricFamily("node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", MetricType.Gauge, count);
        _devices.BeginCycle();
        for (var n = 0; n < count; n++)
        {
            if (!_devices.TryGet(_names[n], out var device))
            {
                var name = System.Text.Encoding.UTF8.GetString(_names[n]);
                device = _devices.Add(name, _ignored.IsMatch(name) ? null : new DeviceState(Path.Combine(_root, name), name));
            }
            if (device is null) continue;
            for (var i = 0; i < Properties.Length; i++)
            {
                if (!_reader.TryRead(device.PropertyPaths[i], out var content)) continue;
                long value;
                var ok = Properties[i].Parse == Parse.Hex ? ProcNumbers.TryParseHex(content, out value) : ProcNumbers.TryParseLong(content, out value);
                if (ok) families[i].Add(device.Labels, value * Properties[i].Scale);
            }
            info.Add(InfoLabels(device), 1);
            up.Add(device.Labels, device.Up ? 1 : 0);
        }
        _devices.EndCycle();
        into.AddRange(families);
        into.Add(info);
        into.Add(up);
    }

    private Label[] InfoLabels(DeviceState device)
    {
        var changed = device.Info is null;
        for (var i = 0; i < InfoFiles.Length; i++)
        {
            var raw = _reader.TryRead(device.InfoPaths[i], out var content) ? content.Trim(" \t\r\n"u8) : default;
            if (device.InfoRaw[i] is { } previous && raw.SequenceEqual(previous)) continue;
            device.InfoRaw[i] = raw.ToArray();
            changed = true;
        }
        if (changed)
        {
            string Text(int i) => System.Text.Encoding.UTF8.GetString(device.InfoRaw[i]);
            var operstate = Text(4);
            device.Up = operstate == "up";
            device.Info = Labels.Sorted([
                new("address", Text(0)), new("broadcast", Text(1)), new("device", device.Device),
                new("duplex", Text(2)), new("ifalias", Text(3)), new("operstate", operstate),
            ]);
        }
        return device.Info!;
    }
}
