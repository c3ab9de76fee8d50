using Agent.Config;
using Agent.Exporters.RemoteWrite;
using Agent.Pipeline;
using Agent.Telemetry;
using Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Agent.Tests.Exporters.RemoteWrite;

/// <summary>
/// The remote-write exporter against stock Grafana Mimir with multi-tenancy: samples land under
/// the configured tenant only; the tenant's ingestion limit (429) is retried with backoff until
/// delivered; an out-of-order sample (400) is dropped and counted without blocking what follows.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class MimirTests
{
    private static RemoteWriteConfig Config(string url, string tenant) => new()
    {
        UrlValue = new Uri(url),
        TenantId = tenant,
        TimeoutValue = TimeSpan.FromSeconds(10),
        Timeout = "10s",
        MinBackoffValue = TimeSpan.FromMilliseconds(200),
        MaxBackoffValue = TimeSpan.FromSeconds(2),
        Buffer = "memory",
        MaxSamplesPerSend = 2000,
    };

    private static MetricBatch Batch(long ts, int series, double value)
    {
        var family = new MetricFamily("mimir_test_series", "A series per index.", MetricType.Gauge, series);
        for (var i = 0; i < series; i++) family.Add([new Label("index", i.ToString(System.Globalization.CultureInfo.InvariantCulture))], value);
        return new MetricBatch("mimir-test", ts, [family]);
    }

    private static double Metric(SelfMetrics metrics, string name, string? label = null, string? value = null) =>
        metrics.Snapshot().Where(f => f.Name == name).SelectMany(f => f.Samples)
            .Where(s => label is null || s.Labels.Any(l => l.Name == label && l.Value == value)).Sum(s => s.Value);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, Func<string> context)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} not reached in 60 s\n{context()}");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Lands_under_its_tenant_only_retries_the_tenant_rate_limit_and_drops_out_of_order_samples()
    {
        // 100 samples/s with a burst of 1000 for tenant "limited": a second request of 600 right
        // after the first exceeds it and gets 429 until the bucket refills.
        await using var mimir = await MimirServer.StartAsync("limited:\n  ingestion_rate: 100\n  ingestion_burst_size: 1000");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var metrics = new SelfMetrics();
        await using (var limited = new RemoteWriteExporter(Config(mimir.PushUrl, "limited"), [new Label("job", "mimir-test")], metrics, NullLogger.Instance))
        {
            limited.Start();
            limited.Enqueue(Batch(now - 2000, 600, 1));
            await WaitUntilAsync(() => Task.FromResult(Metric(metrics, "agent_remote_write_samples_sent_total") >= 600), "first request delivered", () => mimir.Output);
            limited.Enqueue(Batch(now - 1000, 600, 2));
            await WaitUntilAsync(() => Task.FromResult(Metric(metrics, "agent_remote_write_samples_sent_total") >= 1200), "rate-limited request delivered", () => mimir.Output);
        }
        Assert.True(Metric(metrics, "agent_remote_write_requests_total", "code", "429") >= 1, "no 429 from the tenant's ingestion limit");
        Assert.True(Metric(metrics, "agent_remote_write_retries_total") >= 1);
        Assert.Equal(0, Metric(metrics, "agent_remote_write_samples_dropped_total"));
        var landed = await mimir.QueryAsync("limited", "count(count_over_time(mimir_test_series[5m]) == 2)");
        Assert.Equal(600, landed.Single().Value);

        var teamA = new SelfMetrics();
        await using (var exporter = new RemoteWriteExporter(Config(mimir.PushUrl, "team-a"), [new Label("job", "mimir-test")], teamA, NullLogger.Instance))
        {
            exporter.Start();
            exporter.Enqueue(Batch(now, 3, 10));
            await WaitUntilAsync(() => Task.FromResult(Metric(teamA, "agent_remote_write_samples_sent_total") >= 3), "team-a delivered", () => mimir.Output);
            // A minute older than what the series already holds: out of order, refused with 400 for good.
            exporter.Enqueue(Batch(now - 60_000, 3, 20));
            await WaitUntilAsync(() => Task.FromResult(Metric(teamA, "agent_remote_write_samples_dropped_total", "reason", "rejected") >= 3), "out-of-order samples dropped", () => mimir.Output);
            exporter.Enqueue(Batch(now + 1000, 3, 30));
            await WaitUntilAsync(() => Task.FromResult(Metric(teamA, "agent_remote_write_samples_sent_total") >= 6), "samples after the refusal delivered", () => mimir.Output);
        }
        Assert.True(Metric(teamA, "agent_remote_write_requests_total", "code", "400") >= 1);
        Assert.Equal(0, Metric(teamA, "agent_remote_write_retries_total"));

        var latest = await mimir.QueryAsync("team-a", "mimir_test_series");
        Assert.Equal(3, latest.Count);
        Assert.All(latest, s => Assert.Equal(30, s.Value));
        // Each tenant sees only its own: team-b has nothing, "limited" has no team-a value.
        Assert.Empty(await mimir.QueryAsync("team-b", "mimir_test_series"));
        Assert.Empty(await mimir.QueryAsync("limited", "mimir_test_series == 30"));
    }
}
