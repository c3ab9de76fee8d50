using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Host;

/// <summary>node_exporter's entropy collector: /proc/sys/kernel/random/{entropy_avail,poolsize}.</summary>
public sealed class EntropyCollector(HostPaths paths) : ICollector
{
    private readonly string _available = paths.ProcFile("sys/kernel/random/entropy_avail");
    private readonly string _poolSize = paths.ProcFile("sys/kernel/random/poolsize");
    private readonly ProcFileReader _reader = new(64);

    public string Name => "entropy";

    public void Collect(List<Pipeline.MetricFamily> into)
    {
        if (!_reader.TryRead(_available, out var a) || !ProcNumbers.TryParseLong(a, out var available)) throw new IOException($"cannot read {_available}");
        into.AddGauge("node_entropy_available_bits", "Bits of available entropy.", available);
        if (_reader.TryRead(_poolSize, out var p) && ProcNumbers.TryParseLong(p, out var pool))
        {
            into.AddGauge("node_entropy_pool_size_bits", "Bits of entropy pool.", pool);
        }
    }
}
