using System.Net;
using Agent.Config;
using Agent.Exporters.RemoteWrite;
using Agent.Pipeline;
using Agent.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Agent.Tests.Exporters.RemoteWrite;

public sealed class RemoteWriteExporterTests
{
    /// <summary>Answers each request from a script of status codes (the last one repeats) and records bodies.</summary>
    private sealed class ScriptedHandler(params HttpStatusCode[] script) : HttpMessageHandler
    {
        public List<(HttpRequestMessage Request, byte[] Body)> Requests { get; } = [];
        public TimeSpan? RetryAfter { get; init; }
        public TimeSpan Hang { get; init; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var body = await request.Content!.ReadAsByteArrayAsync(ct);
            int n;
            lock (Requests)
            {
                Requests.Add((request, body));
                n = Requests.Count;
            }
            if (Hang > TimeSpan.Zero) await Task.Delay(Hang, ct);
            var response = new HttpResponseMessage(script[Math.Min(n - 1, script.Length - 1)]) { Content = new StringContent("out of order sample") };
            if (RetryAfter is { } ra) response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(ra);
            return response;
        }
    }

    private static RemoteWriteConfig Config(int capacity = 10000) => new()
    {
        UrlValue = new Uri("http://127.0.0.1:9/api/v1/write"),
        TimeoutValue = TimeSpan.FromSeconds(5),
        MinBackoffValue = TimeSpan.FromMilliseconds(10),
        MaxBackoffValue = TimeSpan.FromMilliseconds(50),
        Timeout = "5s",
        Capacity = capacity,
        Buffer = "memory",
        // The batches here are stamped at the epoch's first milliseconds.
        MaxBufferAgeValue = TimeSpan.FromDays(100 * 365),
    };

    private static MetricBatch Batch(long ts)
    {
        var family = new MetricFamily("node_load1", "h", MetricType.Gauge);
        family.Add([], ts);
        return new MetricBatch("node", ts, [family]);
    }

    private static double Metric(SelfMetrics metrics, string name, string? reason = null) =>
        metrics.Snapshot().Where(f => f.Name == name).SelectMany(f => f.Samples)
            .Where(s => reason is null || s.Labels.Any(l => l.Name == "reason" && l.Value == reason)).Sum(s => s.Value);

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in 10 s");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Sends_spec_headers_and_retries_5xx_until_delivered_once()
    {
        var handler = new ScriptedHandler(HttpStatusCode.InternalServerError, HttpStatusCode.ServiceUnavailable, HttpStatusCode.NoContent);
        var metrics = new SelfMetrics();
        await using var exporter = new RemoteWriteExporter(Config(), [], metrics, NullLogger.Instance, handler);
        exporter.Start();
        exporter.Enqueue(Batch(1));
        await WaitUntil(() => Metric(metrics, "agent_remote_write_samples_sent_total") == 1);

        Assert.Equal(3, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.Equal(handler.Requests[0].Body, r.Body));
        var request = handler.Requests[0].Request;
        Assert.Equal("snappy", request.Content!.Headers.ContentEncoding.Single());
        Assert.Equal("application/x-protobuf", request.Content.Headers.ContentType!.MediaType);
        Assert.Equal("0.1.0", request.Headers.GetValues("X-Prometheus-Remote-Write-Version").Single());
        Assert.StartsWith("agent/", request.Headers.UserAgent.ToString());
        Assert.Equal(2, Metric(metrics, "agent_remote_write_retries_total"));
    }

    [Fact]
    public async Task Honours_retry_after_on_429_capped_at_max_backoff()
    {
        var handler = new ScriptedHandler(HttpStatusCode.TooManyRequests, HttpStatusCode.OK) { RetryAfter = TimeSpan.FromSeconds(30) };
        var metrics = new SelfMetrics();
        await using var exporter = new RemoteWriteExporter(Config(), [], metrics, NullLogger.Instance, handler);
        exporter.Start();
        var started = DateTime.UtcNow;
        exporter.Enqueue(Batch(1));
        await WaitUntil(() => Metric(metrics, "agent_remote_write_samples_sent_total") == 1);
        // Retry-After: 30 s is capped at max_backoff (50 ms here), not ignored and not obeyed blindly.
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task A_400_is_dropped_and_counted_not_retried()
    {
        var handler = new ScriptedHandler(HttpStatusCode.BadRequest, HttpStatusCode.NoContent);
        var metrics = new SelfMetrics();
        await using var exporter = new RemoteWriteExporter(Config(), [], metrics, NullLogger.Instance, handler);
        exporter.Start();
        exporter.Enqueue(Batch(1));
        await WaitUntil(() => Metric(metrics, "agent_remote_write_samples_dropped_total", "rejected") == 1);
        exporter.Enqueue(Batch(2));
        await WaitUntil(() => Metric(metrics, "agent_remote_write_samples_sent_total") == 1);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(0, Metric(metrics, "agent_remote_write_retries_total"));
    }

    [Fact]
    public async Task Full_queue_drops_oldest_and_counts()
    {
        var metrics = new SelfMetrics();
        await using var exporter = new RemoteWriteExporter(Config(capacity: 3), [], metrics, NullLogger.Instance, new ScriptedHandler(HttpStatusCode.OK));
        for (var i = 1; i <= 5; i++) exporter.Enqueue(Batch(i));
        Assert.Equal(2, Metric(metrics, "agent_remote_write_samples_dropped_total", "queue_full"));
        Assert.Equal(3, Metric(metrics, "agent_remote_write_queue_samples"));
    }

    [Fact]
    public async Task Stop_flushes_the_queue_then_is_idempotent()
    {
        var handler = new ScriptedHandler(HttpStatusCode.OK);
        var metrics = new SelfMetrics();
        var exporter = new RemoteWriteExporter(Config(), [], metrics, NullLogger.Instance, handler);
        for (var i = 1; i <= 5; i++) exporter.Enqueue(Batch(i));
        exporter.Start();
        await exporter.StopAsync(TimeSpan.FromSeconds(5));
        await exporter.StopAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(5, Metric(metrics, "agent_remote_write_samples_sent_total"));
        exporter.Enqueue(Batch(6));
        Assert.Equal(0, Metric(metrics, "agent_remote_write_queue_samples"));
        await exporter.DisposeAsync();
    }

    [Fact]
    public async Task Stop_gives_up_at_the_deadline_when_the_server_hangs()
    {
        var handler = new ScriptedHandler(HttpStatusCode.OK) { Hang = TimeSpan.FromMinutes(5) };
        var metrics = new SelfMetrics();
        await using var exporter = new RemoteWriteExporter(Config(), [], metrics, NullLogger.Instance, handler);
        exporter.Start();
        exporter.Enqueue(Batch(1));
        await WaitUntil(() => handler.Requests.Count == 1);
        var started = DateTime.UtcNow;
        await exporter.StopAsync(TimeSpan.FromMilliseconds(300));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3));
        Assert.Equal(1, Metric(metrics, "agent_remote_write_samples_dropped_total", "shutdown"));
    }
}
