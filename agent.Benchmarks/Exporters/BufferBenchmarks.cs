using Agent.Collectors;
using Agent.Collectors.Host;
using Agent.Config;
using Agent.Exporters.RemoteWrite;
using Agent.Exporters.RemoteWrite.Buffer;
using Agent.Pipeline;
using Agent.Telemetry;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agent.Benchmarks.Exporters;

/// <summary>
/// What buffer = "disk" adds to one host cycle's request: append (frame, CRC-32C, pwrite), read
/// back (pread, CRC check, copy) and settle; and the once-a-second sync (segment fsync, ledger).
/// The encoding itself is the same in both modes (<see cref="EncoderBenchmarks"/>).
/// </summary>
[MemoryDiagnoser]
public class BufferBenchmarks
{
    private byte[] _body = null!;
    private int _samples;
    private string _dir = null!;
    private DiskBuffer _buffer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var settings = new HostSection();
        var collectors = HostCollectors.Selected(settings).Select(d => d.Create(HostPaths.Default, settings)).OfType<ICollector>().ToList();
        var batch = new CollectorRunner("node", collectors, NullLogger.Instance).Collect(1_700_000_000_000);
        _samples = batch.SampleCount;
        var encoder = new RemoteWriteEncoder(Labels.Sorted([new("host", "bench"), new("environment", "production"), new("instance", "bench")]));
        _body = encoder.Encode([new SeriesChunk(batch, 0, _samples)]).ToArray();
        _dir = Directory.CreateTempSubdirectory("agent-bench-buffer-").FullName;
        _buffer = new DiskBuffer(_dir, 256L * 1024 * 1024, new BufferMetrics(new SelfMetrics(), "bench"), NullLogger.Instance, "bench");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _buffer.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark]
    public long AppendReadSettleHostCycle()
    {
        _buffer.Append(1_700_000_000_000, _samples, _body);
        _buffer.TryRead(out var record);
        _buffer.Settle(record!);
        return record!.Seq;
    }

    [Benchmark]
    public long OneSecondOfHostCyclesWithSync()
    {
        var seq = AppendReadSettleHostCycle();
        _buffer.Sync();
        return seq;
    }
}
