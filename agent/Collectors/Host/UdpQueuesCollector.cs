using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's udp_queues collector: bytes queued in UDP sockets, summed over /proc/net/udp
/// and udp6 (dashboard 1860's "UDP Queues"). A host without IPv6 has no udp6 and reports v4 only.
/// </summary>
public sealed class UdpQueuesCollector(HostPaths paths) : ICollector
{
    private static readonly Label[][] Series =
    [
        [new("ip", "v4"), new("queue", "tx")], [new("ip", "v4"), new("queue", "rx")],
        [new("ip", "v6"), new("queue", "tx")], [new("ip", "v6"), new("queue", "rx")],
    ];

    private readonly string[] _paths = [paths.ProcFile("net/udp"), paths.ProcFile("net/udp6")];
    private readonly ProcFileReader _reader = new(4096);

    public string Name => "udp_queues";

    public void Collect(List<MetricFamily> into)
    {
        MetricFamily? family = null;
        for (var i = 0; i < _paths.Length; i++)
        {
            if (!_reader.TryRead(_paths[i], out var content)) continue;
            if (!UdpQueuesParser.TryParse(content, out var tx, out var rx, out var badLine))
            {
                throw new InvalidDataException($"{_paths[i]}: line {badLine}: expected tx_queue:rx_queue in hex as the fifth column");
            }
            family ??= new MetricFamily("node_udp_queues", "Number of allocated memory in the kernel for UDP datagrams in bytes.", MetricType.Gauge);
            family.Add(Series[2 * i], tx);
            family.Add(Series[2 * i + 1], rx);
        }
        if (family is not null) into.Add(family);
    }
}
