using Agent.Collectors;
using Agent.Collectors.Host;
using Agent.Config;
using Agent.Exporters.RemoteWrite;
using Agent.Pipeline;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agent.Benchmarks.Exporters;

/// <summary>Encoding one host cycle as a remote-write request (protobuf + snappy) into the reused buffers.</summary>
[MemoryDiagnoser]
public class EncoderBenchmarks
{
    private RemoteWriteEncoder _encoder = null!;
    private SeriesChunk[] _chunks = null!;

    [GlobalSetup]
    public void Setup()
    {
        var settings = new HostSection();
        var collectors = HostCollectors.Selected(settings).Select(d => d.Create(HostPaths.Default, settings)).OfType<ICollector>().ToList();
        var batch = new CollectorRunner("node", collectors, NullLogger.Instance).Collect(1_700_000_000_000);
        _chunks = [new SeriesChunk(batch, 0, batch.SampleCount)];
        _encoder = new RemoteWriteEncoder(Labels.Sorted([new("host", "bench"), new("environment", "production"), new("instance", "bench")]));
    }

    [Benchmark]
    public int RemoteWriteHostCycle() => _encoder.Encode(_chunks).Length;
}
