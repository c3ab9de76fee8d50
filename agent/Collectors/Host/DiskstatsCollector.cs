using System.Text;
using System.Text.RegularExpressions;
using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's diskstats collector: /proc/diskstats with its default device exclude
/// (loop, ram, fd and partitions), sectors as 512-byte units and milliseconds as seconds;
/// node_disk_info labels from udev's database (/run/udev/data) under the root path.
/// </summary>
public sealed class DiskstatsCollector : ICollector
{
    public const string DefaultDeviceExclude = @"^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$";
    private const double SectorBytes = 512;

    private static readonly (string Name, string Help, MetricType Type, int Field, double Scale)[] Columns =
    [
        ("node_disk_reads_completed_total", "The total number of reads completed successfully.", MetricType.Counter, 0, 1),
        ("node_disk_reads_merged_total", "The total number of reads merged.", MetricType.Counter, 1, 1),
        ("node_disk_read_bytes_total", "The total number of bytes read successfully.", MetricType.Counter, 2, SectorBytes),
        ("node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.", MetricType.Counter, 3, 0.001),
        ("node_disk_writes_completed_total", "The total number of writes completed successfully.", MetricType.Counter, 4, 1),
        ("node_disk_writes_merged_total", "The number of writes merged.", MetricType.Counter, 5, 1),
        ("node_disk_written_bytes_total", "The total number of bytes written successfully.", MetricType.Counter, 6, SectorBytes),
        ("node_disk_write_time_seconds_total", "This is the total number of seconds spent by all writes.", MetricType.Counter, 7, 0.001),
        ("node_disk_io_now", "The number of I/Os currently in progress.", MetricType.Gauge, 8, 1),
        ("node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.", MetricType.Counter, 9, 0.001),
        ("node_disk_io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.", MetricType.Counter, 10, 0.001),
        ("node_disk_discards_completed_total", "The total number of discards completed successfully.", MetricType.Counter, 11, 1),
        ("node_disk_discards_merged_total", "The total number of discards merged.", MetricType.Counter, 12, 1),
        ("node_disk_discarded_sectors_total", "The total number of sectors discarded successfully.", MetricType.Counter, 13, 1),
        ("node_disk_discard_time_seconds_total", "This is the total number of seconds spent by all discards.", MetricType.Counter, 14, 0.001),
        ("node_disk_flush_requests_total", "The total number of flush requests completed successfully", MetricType.Counter, 15, 1),
        ("node_disk_flush_requests_time_seconds_total", "This is the total number of seconds spent by all flush requests.", MetricType.Counter, 16, 0.001),
    ];

    private readonly string _path;
    private readonly string _udev;
    private readonly Regex _exclude;
    private readonly ProcFileReader _reader = new();
    private readonly ProcFileReader _udevReader = new(1024);
    private readonly SeenCache<(bool Excluded, Label[] Labels, Label[] Info)> _devices = new();
    private int _lastCount = 4;

    public DiskstatsCollector(HostPaths paths, string? deviceExclude = null)
    {
        _path = paths.ProcFile("diskstats");
        _udev = Path.Join(paths.Root, "run/udev/data");
        _exclude = new Regex(deviceExclude ?? DefaultDeviceExclude, RegexOptions.CultureInvariant);
    }

    public string Name => "diskstats";

    /// <summary>Devices remembered between cycles (for the bounded-state test).</summary>
    internal int CachedDevices => _devices.Count;

    public void Collect(List<MetricFamily> into)
    {
        if (!_reader.TryRead(_path, out var content)) throw new IOException($"cannot read {_path}");
        var families = new MetricFamily[Columns.Length];
        for (var i = 0; i < Columns.Length; i++) families[i] = new MetricFamily(Columns[i].Name, Columns[i].Help, Columns[i].Type, _lastCount);
        var info = new MetricFamily("node_disk_info", "Info of /sys/block/<block_device>.", MetricType.Gauge, _lastCount);
        _devices.BeginCycle();
        Span<long> values = stackalloc long[Columns.Length];
        foreach (var line in new LineEnumerator(content))
        {
            var fields = new FieldEnumerator(line);
            if (!fields.MoveNext()) continue;
            var major = fields.Current;
            if (!fields.MoveNext()) continue;
            var minor = fields.Current;
            if (!fields.MoveNext()) continue;
            var device = Device(major, minor, fields.Current);
            if (device.Excluded) continue;
            var count = 0;
            while (count < Columns.Length && fields.MoveNext() && ProcNumbers.TryParseLong(fields.Current, out values[count])) count++;
            for (var i = 0; i < count; i++) families[i].Add(device.Labels, values[i] * Columns[i].Scale);
            info.Add(device.Info, 1);
        }
        _devices.EndCycle();
        _lastCount = Math.Max(info.Samples.Count, 1);
        into.AddRange(families);
        into.Add(info);
    }

    private (bool Excluded, Label[] Labels, Label[] Info) Device(ReadOnlySpan<byte> major, ReadOnlySpan<byte> minor, ReadOnlySpan<byte> name)
    {
        if (_devices.TryGet(name, out var cached)) return cached;
        var key = Encoding.ASCII.GetString(name);
        var majorText = Encoding.ASCII.GetString(major);
        var minorText = Encoding.ASCII.GetString(minor);
        // No udev database (containers, minimal hosts): the info labels stay empty, as with node_exporter.
        var udev = _udevReader.TryRead(Path.Join(_udev, $"b{majorText}:{minorText}"), out var content) ? UdevDataParser.Parse(content) : UdevProperties.Empty;
        return _devices.Add(key, (_exclude.IsMatch(key), new Label[] { new("device", key) }, Labels.Sorted([
            new("device", key), new("major", majorText), new("minor", minorText), new("model", udev.Model),
            new("path", udev.Path), new("revision", udev.Revision), new("serial", udev.Serial), new("wwn", udev.Wwn),
        ])));
    }
}
