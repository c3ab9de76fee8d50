using System.Text;
using System.Text.RegularExpressions;
using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's netdev collector: per-device counters of /proc/net/dev, plus rx_nohandler
/// from /sys/class/net/&lt;dev&gt;/statistics (node_exporter gets it over netlink).
/// </summary>
public sealed class NetdevCollector : ICollector
{
    public const string DefaultDeviceExclude = "^lo$";

    private static readonly string[] Columns =
    [
        "receive_bytes", "receive_packets", "receive_errs", "receive_drop", "receive_fifo", "receive_frame", "receive_compressed", "receive_multicast",
        "transmit_bytes", "transmit_packets", "transmit_errs", "transmit_drop", "transmit_fifo", "transmit_colls", "transmit_carrier", "transmit_compressed",
    ];

    private static readonly string[] FamilyNames = [.. Columns.Select(c => $"node_network_{c}_total")];
    private static readonly string[] FamilyHelps = [.. Columns.Select(c => $"Network device statistic {c}.")];

    private readonly string _path;
    private readonly string _sysNet;
    private readonly Regex? _exclude;
    private readonly ProcFileReader _reader = new();
    private readonly ProcFileReader _small = new(64);
    private readonly SeenCache<(bool Excluded, Label[] Labels, string NoHandlerPath)> _devices = new();
    private int _lastCount = 4;

    public NetdevCollector(HostPaths paths, string? deviceExclude = null)
    {
        _path = paths.ProcFile("net/dev");
        _sysNet = paths.SysFile("class/net");
        _exclude = string.IsNullOrEmpty(deviceExclude) ? null : new Regex(deviceExclude, RegexOptions.CultureInvariant);
    }

    public string Name => "netdev";

    /// <summary>Devices remembered between cycles (for the bounded-state test).</summary>
    internal int CachedDevices => _devices.Count;

    public void Collect(List<MetricFamily> into)
    {
        if (!_reader.TryRead(_path, out var content)) throw new IOException($"cannot read {_path}");
        var families = new MetricFamily[Columns.Length + 1];
        for (var i = 0; i < Columns.Length; i++)
        {
            families[i] = new MetricFamily(FamilyNames[i], FamilyHelps[i], MetricType.Counter, _lastCount);
        }
        var noHandler = families[Columns.Length] = new MetricFamily("node_network_receive_nohandler_total", "Network device statistic receive_nohandler.", MetricType.Counter, _lastCount);
        _devices.BeginCycle();
        Span<long> values = stackalloc long[NetDevParser.Columns];
        foreach (var line in new LineEnumerator(content))
        {
            if (!NetDevParser.TryParseLine(line, out var name, values, out var parsed)) continue;
            var device = Device(name);
            if (device.Excluded) continue;
            for (var i = 0; i < parsed; i++)
            {
                families[i].Add(device.Labels, values[i]);
            }
            if (_small.TryRead(device.NoHandlerPath, out var nh) && ProcNumbers.TryParseLong(nh, out var dropped)) noHandler.Add(device.Labels, dropped);
        }
        _devices.EndCycle();
        _lastCount = Math.Max(families[0].Samples.Count, 1);
        into.AddRange(families);
    }

    private (bool Excluded, Label[] Labels, string NoHandlerPath) Device(ReadOnlySpan<byte> raw)
    {
        if (_devices.TryGet(raw, out var cached)) return cached;
        var name = Encoding.UTF8.GetString(raw);
        return _devices.Add(name, (_exclude?.IsMatch(name) ?? false, new Label[] { new("device", name) }, Path.Combine(_sysNet, name, "statistics", "rx_nohandler")));
    }
}
