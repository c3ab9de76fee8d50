using System.Net;
using Agent.Config;
using Agent.Exporters.Loki;
using Agent.Pipeline;
using Agent.Telemetry;
using Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Agent.Tests.Exporters.Loki;

/// <summary>Refusals about part of a push (413, Loki's stream limit) and rate limiting: nothing stalls, nothing is lost silently.</summary>
public sealed class LokiRefusalTests
{
    private sealed class Acks : IAckTarget
    {
        public List<long> Offsets { get; } = [];
        public void Acknowledge(long offset) { lock (Offsets) Offsets.Add(offset); }
    }

    private static LokiConfig Config(string url, int batchSize, TimeSpan? minBackoff = null, TimeSpan? maxBackoff = null) => new()
    {
        UrlValue = new Uri(url),
        TimeoutValue = TimeSpan.FromSeconds(5),
        MinBackoffValue = minBackoff ?? TimeSpan.FromMilliseconds(10),
        MaxBackoffValue = maxBackoff ?? TimeSpan.FromMilliseconds(100),
        BatchWaitValue = TimeSpan.FromMilliseconds(200),
        BatchSize = batchSize,
        MaxPendingBatches = 4,
    };

    private static LogStream Stream(int i) => new(Labels.Sorted([new("host", "h"), new("filename", $"/var/log/{i}.log")]));

    private static byte[] Line(string prefix, int i, int size) =>
        System.Text.Encoding.UTF8.GetBytes($"{prefix}-{i:D4} ".PadRight(size, 'x'));

    private static double Dropped(SelfMetrics metrics, string reason) =>
        metrics.Snapshot().Where(f => f.Name == "agent_loki_entries_dropped_total").SelectMany(f => f.Samples)
            .Where(s => s.Labels.Any(l => l.Name == "reason" && l.Value == reason)).Sum(s => s.Value);

    [Fact]
    public async Task A_413_splits_the_push_until_it_fits_and_drops_only_an_entry_too_large_alone()
    {
        await using var receiver = new LokiReceiver();
        receiver.RejectPushesLargerThan(2_000);
        var metrics = new SelfMetrics();
        var acks = new Acks();
        var stream = Stream(0);
        await using var exporter = new LokiExporter(Config(receiver.PushUrl, batchSize: 64 * 1024), metrics, NullLogger.Instance);
        exporter.Start();
        for (var i = 0; i < 60; i++)
        {
            var size = i == 30 ? 5_000 : 100;
            await exporter.WriteAsync(new LogEntry(stream, 1_000 + i, Line("big", i, size), acks, i + 1), default);
        }
        await exporter.StopAsync(TimeSpan.FromSeconds(10));

        var lines = receiver.Accepted.Select(a => a.Line[..8]).ToList();
        Assert.Equal(Enumerable.Range(0, 60).Where(i => i != 30).Select(i => $"big-{i:D4}"), lines);
        Assert.Equal(1, Dropped(metrics, "too_large"));
        Assert.Equal(60, acks.Offsets.Count);
    }

    [Fact]
    public async Task A_stream_limit_drops_only_the_refused_streams_and_keeps_shipping_the_others()
    {
        // A re-sent entry of a stream Loki took from the refused push is identical (timestamp and
        // line), which Loki stores once; this receiver counts it again, hence the Distinct below.
        await using var receiver = new LokiReceiver { AcceptOutOfOrder = true };
        receiver.LimitStreams(3);
        var metrics = new SelfMetrics();
        var acks = new Acks();
        await using var exporter = new LokiExporter(Config(receiver.PushUrl, batchSize: 64 * 1024), metrics, NullLogger.Instance);
        exporter.Start();
        // Three files own streams Loki already has; twelve more files each want a new one.
        for (var s = 0; s < 3; s++) await exporter.WriteAsync(new LogEntry(Stream(s), 1, Line("known", s, 20), acks, 1), default);
        await receiver.WaitForLinesAsync(3, TimeSpan.FromSeconds(10));
        for (var round = 0; round < 5; round++)
        {
            for (var s = 0; s < 15; s++)
            {
                await exporter.WriteAsync(new LogEntry(Stream(s), 10 + round, Line($"s{s:D2}", round, 20), acks, 10 + round), default);
            }
        }
        await exporter.StopAsync(TimeSpan.FromSeconds(10));

        var accepted = receiver.Accepted.Where(a => a.Line.StartsWith('s')).Select(a => a.Line[..3]).Distinct().Order().ToList();
        Assert.Equal(["s00", "s01", "s02"], accepted);
        Assert.Equal(5 * 3, receiver.Accepted.Where(a => a.Line.StartsWith('s')).Distinct().Count());
        Assert.Equal(12 * 5, Dropped(metrics, "stream_limit"));
        Assert.Equal(3 + 15 * 5, acks.Offsets.Count);
    }

    [Fact]
    public async Task A_429_with_retry_after_is_retried_after_that_wait_not_the_backoff()
    {
        await using var receiver = new LokiReceiver();
        receiver.FailNext(1, HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(1));
        await using var exporter = new LokiExporter(
            Config(receiver.PushUrl, batchSize: 1, minBackoff: TimeSpan.FromSeconds(30), maxBackoff: TimeSpan.FromMinutes(5)),
            new SelfMetrics(), NullLogger.Instance);
        exporter.Start();
        var start = DateTime.UtcNow;
        await exporter.WriteAsync(new LogEntry(Stream(0), 1, Line("paced", 0, 10), null, 1), default);
        await receiver.WaitForLinesAsync(1, TimeSpan.FromSeconds(15));
        Assert.InRange(DateTime.UtcNow - start, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(15));
        await exporter.StopAsync(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("Maximum active stream limit exceeded when trying to create stream {a=\"b\"}, reduce the number of active streams", true)]
    [InlineData("Maximum active stream limit exceeded, reduce the number of active streams (reduce labels or reduce label values)", true)]
    [InlineData("stream_limit", true)]
    [InlineData("Per stream rate limit exceeded (limit: 3MB/sec) while attempting to ingest for stream '{a=\"b\"}'", false)]
    [InlineData("Ingestion rate limit exceeded for user fake", false)]
    public void Tells_the_stream_limit_from_rate_limits(string body, bool streamLimit) =>
        Assert.Equal(streamLimit, LokiExporter.IsStreamLimit(body));
}
