using Agent.Exporters.RemoteWrite;
using Agent.Pipeline;
using WriteRequest = Agent.Protos.Prometheus.WriteRequest;
using Snappier;
using Xunit;

namespace Agent.Tests.Exporters.RemoteWrite;

public sealed class RemoteWriteEncoderTests
{
    private static readonly Label[] External = Labels.Sorted([new("host", "web-1"), new("environment", "prod"), new("instance", "web-1"), new("team", "ops")]);

    internal static WriteRequest Decode(ReadOnlyMemory<byte> body)
    {
        var raw = new byte[Snappy.GetUncompressedLength(body.Span)];
        Snappy.Decompress(body.Span, raw);
        return WriteRequest.Parser.ParseFrom(raw);
    }

    private static MetricBatch Batch(string job, long ts, params MetricFamily[] families) => new(job, ts, families);

    [Fact]
    public void Round_trips_through_the_generated_types_with_sorted_labels_name_first()
    {
        var cpu = new MetricFamily("node_cpu_seconds_total", "h", MetricType.Counter);
        cpu.Add([new("cpu", "0"), new("mode", "idle")], 123.5);
        cpu.Add([new("cpu", "1"), new("mode", "idle")], double.NaN);
        var mem = new MetricFamily("node_memory_MemTotal_bytes", "h", MetricType.Gauge);
        mem.Add([], 2.5e10);
        var encoder = new RemoteWriteEncoder(External);

        var request = Decode(encoder.Encode([new SeriesChunk(Batch("node", 1_700_000_000_123, cpu, mem), 0, 3)]));

        Assert.Equal(3, request.Timeseries.Count);
        var first = request.Timeseries[0];
        Assert.Equal(
            ["__name__=node_cpu_seconds_total", "cpu=0", "environment=prod", "host=web-1", "instance=web-1", "job=node", "mode=idle", "team=ops"],
            first.Labels.Select(l => $"{l.Name}={l.Value}"));
        Assert.Equal(123.5, first.Samples.Single().Value);
        Assert.Equal(1_700_000_000_123, first.Samples.Single().Timestamp);
        Assert.True(double.IsNaN(request.Timeseries[1].Samples[0].Value));
        Assert.Equal("node_memory_MemTotal_bytes", request.Timeseries[2].Labels[0].Value);
        Assert.Equal(2.5e10, request.Timeseries[2].Samples[0].Value);
        foreach (var series in request.Timeseries)
        {
            var names = series.Labels.Select(l => l.Name).ToArray();
            Assert.Equal(names.OrderBy(n => n, StringComparer.Ordinal), names);
            Assert.Equal(names.Length, names.Distinct().Count());
        }
    }

    [Fact]
    public void Own_labels_win_over_external_empty_values_are_dropped_and_uppercase_sorts_first()
    {
        var family = new MetricFamily("container_last_seen", "h", MetricType.Gauge);
        family.Add(Labels.Sorted([new("host", "inner"), new("image", ""), new("Zone", "a"), new("name", "x")]), 1);
        var request = Decode(new RemoteWriteEncoder(External).Encode([new SeriesChunk(Batch("cadvisor", 5, family), 0, 1)]));

        Assert.Equal(
            ["Zone=a", "__name__=container_last_seen", "environment=prod", "host=inner", "instance=web-1", "job=cadvisor", "name=x", "team=ops"],
            request.Timeseries[0].Labels.Select(l => $"{l.Name}={l.Value}"));
    }

    [Fact]
    public void Chunks_select_windows_across_families_and_batches()
    {
        var a = new MetricFamily("a", "h", MetricType.Gauge);
        for (var i = 0; i < 3; i++) a.Add([new("i", i.ToString())], i);
        var b = new MetricFamily("b", "h", MetricType.Gauge);
        for (var i = 3; i < 6; i++) b.Add([new("i", i.ToString())], i);
        var batch = Batch("node", 10, a, b);
        var other = Batch("agent", 20, b);
        var encoder = new RemoteWriteEncoder([]);

        var request = Decode(encoder.Encode([new SeriesChunk(batch, 2, 3), new SeriesChunk(other, 0, 1)]));

        Assert.Equal([2.0, 3, 4, 3], request.Timeseries.Select(t => t.Samples[0].Value));
        Assert.Equal(["node", "node", "node", "agent"], request.Timeseries.Select(t => t.Labels.Single(l => l.Name == "job").Value));
        Assert.Equal([10L, 10, 10, 20], request.Timeseries.Select(t => t.Samples[0].Timestamp));
    }

    [Fact]
    public void Queue_splits_by_max_samples_per_send_and_drops_oldest_when_full()
    {
        var family = new MetricFamily("x", "h", MetricType.Gauge);
        for (var i = 0; i < 5; i++) family.Add([new("i", i.ToString())], i);
        var queue = new SampleQueue(capacity: 12, maxSamplesPerSend: 2);

        Assert.Equal(0, queue.Enqueue(Batch("node", 1, family)));
        Assert.Equal(0, queue.Enqueue(Batch("node", 2, family)));
        // 15 samples in chunks of 2, 2, 1 per batch: the two oldest chunks go.
        Assert.Equal(4, queue.Enqueue(Batch("node", 3, family)));
        Assert.Equal(11, queue.Samples);

        var first = queue.Take();
        Assert.Equal((1L, 4, 1), (first.Single().Batch.TimestampMs, first.Single().Start, first.Single().Count));
        var second = queue.Take();
        Assert.Equal((2L, 0, 2), (second.Single().Batch.TimestampMs, second.Single().Start, second.Single().Count));
        Assert.Equal(8, queue.Samples);
    }

    [Fact]
    public void Queue_keeps_a_batch_larger_than_its_capacity_whole_and_drops_older_ones()
    {
        var small = new MetricFamily("x", "h", MetricType.Gauge);
        for (var i = 0; i < 3; i++) small.Add([new("i", i.ToString())], i);
        var large = new MetricFamily("y", "h", MetricType.Gauge);
        for (var i = 0; i < 50; i++) large.Add([new("i", i.ToString())], i);
        var queue = new SampleQueue(capacity: 10, maxSamplesPerSend: 4);

        Assert.Equal(0, queue.Enqueue(Batch("node", 1, small)));
        // One scrape of 50 series: the 3 older samples make room, none of the 50 is cut.
        Assert.Equal(3, queue.Enqueue(Batch("scrape", 2, large)));
        Assert.Equal(50, queue.Samples);
        var taken = 0;
        while (queue.Take() is { Count: > 0 } chunks) taken += chunks.Sum(c => c.Count);
        Assert.Equal(50, taken);
    }
}
