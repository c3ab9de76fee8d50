using System.Net;
using Agent.Config;
using Agent.Exporters.Loki;
using Agent.Pipeline;
using Agent.Protos.Loki;
using Agent.Telemetry;
using Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Snappier;
using Xunit;

namespace Agent.Tests.Exporters.Loki;

public sealed class LokiExporterTests
{
    private static readonly LogStream Stream = new(Labels.Sorted([new("host", "h"), new("job", "varlogs"), new("filename", "/var/log/a \"q\".log")]));

    private sealed class Acks : IAckTarget
    {
        public List<long> Offsets { get; } = [];
        public void Acknowledge(long offset) { lock (Offsets) Offsets.Add(offset); }
    }

    private static LokiConfig Config(string url, int maxPending = 10) => new()
    {
        UrlValue = new Uri(url),
        TimeoutValue = TimeSpan.FromSeconds(5),
        MinBackoffValue = TimeSpan.FromMilliseconds(10),
        MaxBackoffValue = TimeSpan.FromMilliseconds(100),
        BatchWaitValue = TimeSpan.FromMilliseconds(50),
        BatchSize = 1024,
        MaxPendingBatches = maxPending,
    };

    private static byte[] Utf8(string line) => System.Text.Encoding.UTF8.GetBytes(line);

    private static double Metric(SelfMetrics metrics, string name) =>
        metrics.Snapshot().Where(f => f.Name == name).SelectMany(f => f.Samples).Sum(s => s.Value);

    [Fact]
    public void Encoder_round_trips_grouping_by_stream_and_keeping_order()
    {
        var other = new LogStream([new Label("job", "other")]);
        var entries = new[]
        {
            new LogEntry(Stream, 1_700_000_000_123_456_789, Utf8("first"), null, 0),
            new LogEntry(other, 1_700_000_000_200_000_000, Utf8("elsewhere"), null, 0),
            new LogEntry(Stream, 1_700_000_000_123_456_789, Utf8("same time"), null, 0),
        };
        var body = new LokiEncoder().Encode(entries);
        var raw = new byte[Snappy.GetUncompressedLength(body.Span)];
        Snappy.Decompress(body.Span, raw);
        var request = PushRequest.Parser.ParseFrom(raw);

        Assert.Equal(2, request.Streams.Count);
        Assert.Equal("{filename=\"/var/log/a \\\"q\\\".log\", host=\"h\", job=\"varlogs\"}", request.Streams[0].Labels);
        Assert.Null(LokiReceiver.ParseSelector(request.Streams[0].Labels));
        Assert.Equal(["first", "same time"], request.Streams[0].Entries.Select(e => e.Line));
        Assert.Equal(1_700_000_000, request.Streams[0].Entries[0].Timestamp.Seconds);
        Assert.Equal(123_456_789, request.Streams[0].Entries[0].Timestamp.Nanos);
        Assert.Equal("elsewhere", request.Streams[1].Entries.Single().Line);
    }

    [Fact]
    public async Task A_400_drops_counts_and_acknowledges_so_the_pipeline_moves_on()
    {
        await using var receiver = new LokiReceiver();
        receiver.FailNext(1, HttpStatusCode.BadRequest);
        var metrics = new SelfMetrics();
        var acks = new Acks();
        await using var exporter = new LokiExporter(Config(receiver.PushUrl), metrics, NullLogger.Instance);
        exporter.Start();
        await exporter.WriteAsync(new LogEntry(Stream, 1, Utf8("refused"), acks, 8), default);
        await Task.Delay(300);
        await exporter.WriteAsync(new LogEntry(Stream, 2, Utf8("accepted"), acks, 17), default);
        await receiver.WaitForLinesAsync(1, TimeSpan.FromSeconds(10));
        await exporter.StopAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(["accepted"], receiver.Accepted.Select(a => a.Line));
        Assert.Equal([8L, 17L], acks.Offsets);
        Assert.Equal(1, Metric(metrics, "agent_loki_entries_dropped_total"));
        Assert.Equal(1, Metric(metrics, "agent_loki_entries_sent_total"));
        Assert.Equal(0, Metric(metrics, "agent_loki_retries_total"));
    }

    [Fact]
    public async Task Retries_5xx_and_429_and_acknowledges_only_after_delivery()
    {
        await using var receiver = new LokiReceiver();
        receiver.FailNext(2, HttpStatusCode.InternalServerError);
        receiver.FailNext(1, HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(1));
        var metrics = new SelfMetrics();
        var acks = new Acks();
        await using var exporter = new LokiExporter(Config(receiver.PushUrl), metrics, NullLogger.Instance);
        exporter.Start();
        await exporter.WriteAsync(new LogEntry(Stream, 1, Utf8("once"), acks, 5), default);
        await Task.Delay(100);
        Assert.Empty(acks.Offsets);
        await receiver.WaitForLinesAsync(1, TimeSpan.FromSeconds(10));
        await exporter.StopAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([5L], acks.Offsets);
        Assert.Equal(3, Metric(metrics, "agent_loki_retries_total"));
        Assert.Equal(4, receiver.Requests);
    }

    [Fact]
    public async Task Writes_wait_while_the_backlog_is_full()
    {
        await using var receiver = new LokiReceiver();
        receiver.FailNext(1000, HttpStatusCode.ServiceUnavailable);
        await using var exporter = new LokiExporter(Config(receiver.PushUrl, maxPending: 1), new SelfMetrics(), NullLogger.Instance);
        exporter.Start();
        var line = new string('x', 600);
        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++) await exporter.WriteAsync(new LogEntry(Stream, i, Utf8(line), null, i), default);
        });
        await Task.Delay(500);
        Assert.False(writes.IsCompleted, "writes should wait while one batch is retrying and one is pending");
        await exporter.StopAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Stock_loki_accepts_every_push_and_returns_every_line()
    {
        await using var loki = await LokiServer.StartAsync();
        var metrics = new SelfMetrics();
        var exporter = new LokiExporter(Config(loki.PushUrl), metrics, NullLogger.Instance);
        exporter.Start();
        var stream = new LogStream(Labels.Sorted([new("host", "loki-test"), new("job", "varlogs"), new("filename", "/tmp/x.log")]));
        var start = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        for (var i = 0; i < 100; i++) await exporter.WriteAsync(new LogEntry(stream, start + i * 1000, Utf8($"line {i:D3} ünïcödé"), null, 0), default);
        await exporter.StopAsync(TimeSpan.FromSeconds(10));
        await exporter.DisposeAsync();
        Assert.Equal(100, Metric(metrics, "agent_loki_entries_sent_total"));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<string> lines;
        while ((lines = await loki.QueryLinesAsync("{host=\"loki-test\",job=\"varlogs\"}")).Count < 100 && DateTime.UtcNow < deadline) await Task.Delay(500);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"line {i:D3} ünïcödé"), lines);
    }
}
