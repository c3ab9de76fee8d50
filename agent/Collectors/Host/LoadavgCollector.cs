using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Host;

/// <summary>node_exporter's loadavg collector: node_load1, node_load5, node_load15 from /proc/loadavg.</summary>
public sealed class LoadavgCollector(HostPaths paths) : ICollector
{
    private readonly string _path = paths.ProcFile("loadavg");
    private readonly ProcFileReader _reader = new(256);

    public string Name => "loadavg";

    public void Collect(List<Pipeline.MetricFamily> into)
    {
        if (!_reader.TryRead(_path, out var content)) throw new IOException($"cannot read {_path}");
        var fields = new FieldEnumerator(content);
        Span<double> loads = stackalloc double[3];
        for (var i = 0; i < 3; i++)
        {
            if (!fields.MoveNext() || !ProcNumbers.TryParseDouble(fields.Current, out loads[i])) throw new InvalidDataException($"unexpected {_path}");
        }
        into.AddGauge("node_load1", "1m load average.", loads[0]);
        into.AddGauge("node_load5", "5m load average.", loads[1]);
        into.AddGauge("node_load15", "15m load average.", loads[2]);
    }
}
