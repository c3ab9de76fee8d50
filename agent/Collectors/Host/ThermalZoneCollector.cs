using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's thermal_zone collector: /sys/class/thermal/thermal_zone* temperatures and
/// cooling_device* throttle states. Virtual machines usually have none: nothing to report.
/// </summary>
public sealed class ThermalZoneCollector(HostPaths paths) : ICollector
{
    private readonly string _root = paths.SysFile("class/thermal");
    private readonly ProcFileReader _reader = new(128);

    public string Name => "thermal_zone";

    public void Collect(List<MetricFamily> into)
    {
        if (!Directory.Exists(_root)) return;
        var temp = new MetricFamily("node_thermal_zone_temp", "Zone temperature in Celsius", MetricType.Gauge);
        var current = new MetricFamily("node_cooling_device_cur_state", "Current throttle state of the cooling device", MetricType.Gauge);
        var max = new MetricFamily("node_cooling_device_max_state", "Maximum throttle state of the cooling device", MetricType.Gauge);
        foreach (var dir in Directory.EnumerateDirectories(_root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(dir);
            if (name.StartsWith("thermal_zone", StringComparison.Ordinal))
            {
                if (!_reader.TryRead(Path.Combine(dir, "temp"), out var t) || !ProcNumbers.TryParseLong(t, out var milli)) continue;
                temp.Add(Labels.Sorted([new("type", Text(dir, "type")), new("zone", name["thermal_zone".Length..])]), milli / 1000.0);
            }
            else if (name.StartsWith("cooling_device", StringComparison.Ordinal))
            {
                Label[] labels = Labels.Sorted([new("name", name["cooling_device".Length..]), new("type", Text(dir, "type"))]);
                if (_reader.TryRead(Path.Combine(dir, "cur_state"), out var c) && ProcNumbers.TryParseLong(c, out var cur)) current.Add(labels, cur);
                if (_reader.TryRead(Path.Combine(dir, "max_state"), out var m) && ProcNumbers.TryParseLong(m, out var mx)) max.Add(labels, mx);
            }
        }
        into.Add(temp);
        into.Add(current);
        into.Add(max);
    }

    private string Text(string dir, string file) =>
        _reader.TryRead(Path.Combine(dir, file), out var content) ? System.Text.Encoding.UTF8.GetString(content.Trim(" \t\r\n"u8)) : "";
}
