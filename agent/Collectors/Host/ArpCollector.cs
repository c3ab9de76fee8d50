using System.Text;
using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>node_exporter's arp collector: neighbour entries per device from /proc/net/arp (dashboard 1860's "ARP Entries").</summary>
public sealed class ArpCollector(HostPaths paths) : ICollector
{
    private readonly string _path = paths.ProcFile("net/arp");
    private readonly ProcFileReader _reader = new(4096);
    private readonly SeenCache<Device> _devices = new();
    private readonly List<Device> _order = [];

    private sealed class Device(string name)
    {
        public Label[] Labels { get; } = [new("device", name)];
        public int Count { get; set; }
    }

    public string Name => "arp";

    /// <summary>Devices remembered between cycles (for the bounded-state test).</summary>
    internal int CachedDevices => _devices.Count;

    public void Collect(List<MetricFamily> into)
    {
        if (!_reader.TryRead(_path, out var content)) return;
        _devices.BeginCycle();
        _order.Clear();
        var number = 0;
        foreach (var line in new LineEnumerator(content))
        {
            if (++number == 1 || line.IsEmpty) continue;
            if (!ArpParser.TryParseDevice(line, out var name, out var columns))
            {
                throw new InvalidDataException($"{_path}: line {number}: {columns} columns, expected 6");
            }
            if (!_devices.TryGet(name, out var device))
            {
                var text = Encoding.UTF8.GetString(name);
                device = _devices.Add(text, new Device(text));
            }
            if (device.Count == 0) _order.Add(device);
            device.Count++;
        }
        _devices.EndCycle();
        var family = new MetricFamily("node_arp_entries", "ARP entries by device", MetricType.Gauge, _order.Count);
        foreach (var device in _order)
        {
            family.Add(device.Labels, device.Count);
            device.Count = 0;
        }
        into.Add(family);
    }
}
