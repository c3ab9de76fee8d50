using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter 1.5's softnet collector: /proc/net/softnet_stat per CPU, labelled by the
/// line's position as 1.5 does (dashboard 1860's "Softnet" panels).
/// </summary>
public sealed class SoftnetCollector(HostPaths paths) : ICollector
{
    private readonly string _path = paths.ProcFile("net/softnet_stat");
    private readonly ProcFileReader _reader = new(4096);
    private readonly List<Label[]> _cpuLabels = [];

    public string Name => "softnet";

    public void Collect(List<MetricFamily> into)
    {
        if (!_reader.TryRead(_path, out var content)) return;
        var processed = new MetricFamily("node_softnet_processed_total", "Number of processed packets", MetricType.Counter, _cpuLabels.Count);
        var dropped = new MetricFamily("node_softnet_dropped_total", "Number of dropped packets", MetricType.Counter, _cpuLabels.Count);
        var squeezed = new MetricFamily("node_softnet_times_squeezed_total", "Number of times processing packets ran out of quota", MetricType.Counter, _cpuLabels.Count);
        var cpu = 0;
        foreach (var text in new LineEnumerator(content))
        {
            if (text.IsEmpty) continue;
            if (!SoftnetParser.TryParseLine(text, out var line)) throw new InvalidDataException($"{_path}: line {cpu + 1}: expected hexadecimal counters");
            if (cpu == _cpuLabels.Count) _cpuLabels.Add([new Label("cpu", cpu.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
            var labels = _cpuLabels[cpu++];
            processed.Add(labels, line.Processed);
            dropped.Add(labels, line.Dropped);
            squeezed.Add(labels, line.TimesSqueezed);
        }
        into.Add(dropped);
        into.Add(processed);
        into.Add(squeezed);
    }
}
