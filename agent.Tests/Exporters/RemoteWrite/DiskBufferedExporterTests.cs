using System.Net;
using Agent.Config;
using Agent.Exporters.RemoteWrite;
using Agent.Pipeline;
using Agent.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using WriteRequest = Agent.Protos.Prometheus.WriteRequest;

namespace Agent.Tests.Exporters.RemoteWrite;

/// <summary>The exporter with buffer = "disk": outages, restarts, catch-up order, age cap, health.</summary>
public sealed class DiskBufferedExporterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-rwdisk-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A remote-write receiver that can be down (503) and remembers what it accepted and how many requests overlapped.</summary>
    private sealed class Receiver : HttpMessageHandler
    {
        private int _current;
        public volatile bool Down;
        public int MaxConcurrent;
        public int Failures;
        public TimeSpan Delay { get; init; }
        public List<WriteRequest> Accepted { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var body = await request.Content!.ReadAsByteArrayAsync(ct);
            var now = Interlocked.Increment(ref _current);
            lock (Accepted) MaxConcurrent = Math.Max(MaxConcurrent, now);
            try
            {
                if (Delay > TimeSpan.Zero) await Task.Delay(Delay, ct);
                if (Interlocked.Decrement(ref Failures) >= 0) throw new InvalidOperationException("handler bug");
                if (Down) return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
                lock (Accepted) Accepted.Add(RemoteWriteEncoderTests.Decode(body));
                return new HttpResponseMessage(HttpStatusCode.NoContent);
            }
            finally
            {
                Interlocked.Decrement(ref _current);
            }
        }
    }

    /// <summary>
    /// Takes a request as Prometheus 2.x does: all or nothing, refused (400) when any sample is
    /// older than its series' newest, an exact repeat of the newest accepted.
    /// </summary>
    private sealed class PrometheusLike : HttpMessageHandler
    {
        public volatile bool Down;
        public Dictionary<string, List<long>> Stored { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var body = await request.Content!.ReadAsByteArrayAsync(ct);
            await Task.Delay(2, ct);
            if (Down) return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            var write = RemoteWriteEncoderTests.Decode(body);
            lock (Stored)
            {
                var adds = new List<(List<long> Series, long Ts)>();
                var newest = new Dictionary<string, long>();
                foreach (var ts in write.Timeseries)
                {
                    var key = ts.Labels.Single(l => l.Name == "series").Value;
                    if (!Stored.TryGetValue(key, out var stored)) Stored[key] = stored = [];
                    foreach (var sample in ts.Samples)
                    {
                        var last = newest.TryGetValue(key, out var n) ? n : stored.Count > 0 ? stored[^1] : long.MinValue;
                        if (sample.Timestamp < last) return new HttpResponseMessage(HttpStatusCode.BadRequest);
                        if (sample.Timestamp > last) adds.Add((stored, sample.Timestamp));
                        newest[key] = sample.Timestamp;
                    }
                }
                foreach (var (series, ts) in adds) series.Add(ts);
            }
            return new HttpResponseMessage(HttpStatusCode.NoContent);
        }
    }

    private static RemoteWriteConfig Config(int maxShards = 4) => new()
    {
        UrlValue = new Uri("http://127.0.0.1:9/api/v1/write"),
        TimeoutValue = TimeSpan.FromSeconds(5),
        MinBackoffValue = TimeSpan.FromMilliseconds(10),
        MaxBackoffValue = TimeSpan.FromMilliseconds(50),
        Timeout = "5s",
        Buffer = "disk",
        MaxShards = maxShards,
        MaxBufferBytes = 64L * 1024 * 1024,
        // Two cycles per request: the backlog below is 45 requests, past the catch-up threshold.
        MaxSamplesPerSend = 100,
        BufferSyncIntervalValue = TimeSpan.FromMilliseconds(50),
    };

    /// <summary>One cycle of <paramref name="series"/> series, each valued with its cycle number.</summary>
    private static MetricBatch Cycle(long ts, int cycle, int series = 50)
    {
        var family = new MetricFamily("test_value", "h", MetricType.Gauge, series);
        for (var s = 0; s < series; s++) family.Add([new Label("series", s.ToString("D3"))], cycle);
        return new MetricBatch("node", ts, [family]);
    }

    private static double Metric(SelfMetrics metrics, string name, string? reason = null) =>
        metrics.Snapshot().Where(f => f.Name == name).SelectMany(f => f.Samples)
            .Where(s => reason is null || s.Labels.Any(l => l.Name == "reason" && l.Value == reason)).Sum(s => s.Value);

    private static async Task WaitUntil(Func<bool> condition, int seconds = 20, Func<string>? message = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not reached in {seconds} s {message?.Invoke()}");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task An_outage_and_a_restart_lose_nothing_and_catch_up_keeps_each_series_in_time_order()
    {
        const int cycles = 120, series = 50;
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - cycles * 1000;
        var receiver = new Receiver { Down = true, Delay = TimeSpan.FromMilliseconds(5) };
        var metrics = new SelfMetrics();
        var first = new RemoteWriteExporter(Config(), [], metrics, NullLogger.Instance, receiver, _dir);
        first.Start();
        for (var c = 0; c < cycles / 2; c++) first.Enqueue(Cycle(start + c * 1000, c, series));
        await WaitUntil(() => Metric(metrics, "agent_remote_write_queue_samples") == 0 && Metric(metrics, "agent_remote_write_retries_total") > 0);
        var stopping = DateTime.UtcNow;
        await first.StopAsync(TimeSpan.FromSeconds(30));
        // A disk buffer keeps what is unsent: stopping does not wait out the outage.
        Assert.True(DateTime.UtcNow - stopping < TimeSpan.FromSeconds(5));
        Assert.Equal(0, Metric(metrics, "agent_remote_write_samples_dropped_total"));
        await first.DisposeAsync();

        // The restarted agent collects on while the old data is still unsent.
        var again = new SelfMetrics();
        await using var second = new RemoteWriteExporter(Config(), [], again, NullLogger.Instance, receiver, _dir);
        for (var c = cycles / 2; c < cycles * 3 / 4; c++) second.Enqueue(Cycle(start + c * 1000, c, series));
        second.Start();
        await Task.Delay(300);
        receiver.Down = false;
        for (var c = cycles * 3 / 4; c < cycles; c++) second.Enqueue(Cycle(start + c * 1000, c, series));
        await WaitUntil(() => Metric(again, "agent_remote_write_samples_sent_total") == cycles * series, message: () => $"sent {Metric(again, "agent_remote_write_samples_sent_total")}, accepted {receiver.Accepted.Count}, records {Metric(again, "agent_remote_write_buffer_records")} dropped {Metric(again, "agent_remote_write_samples_dropped_total")}");

        var bySeries = new Dictionary<string, List<(long Ts, double Value)>>();
        lock (receiver.Accepted)
        {
            foreach (var request in receiver.Accepted)
            {
                foreach (var ts in request.Timeseries)
                {
                    var key = ts.Labels.Single(l => l.Name == "series").Value;
                    if (!bySeries.TryGetValue(key, out var list)) bySeries[key] = list = [];
                    list.AddRange(ts.Samples.Select(s => (s.Timestamp, s.Value)));
                }
            }
        }
        Assert.Equal(series, bySeries.Count);
        foreach (var (key, samples) in bySeries)
        {
            Assert.True(samples.Select(s => s.Ts).SequenceEqual(Enumerable.Range(0, cycles).Select(c => start + c * 1000)), $"series {key} out of order or incomplete");
            Assert.Equal(Enumerable.Range(0, cycles).Select(c => (double)c), samples.Select(s => s.Value));
        }
        Assert.True(receiver.MaxConcurrent > 1, "the backlog was sent one request at a time");
        await WaitUntil(() => Metric(again, "agent_remote_write_buffer_records") == 0);
        await second.StopAsync(TimeSpan.FromSeconds(5));
        Assert.Empty(Directory.GetFiles(_dir, "*.seg", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_crash_in_the_middle_of_catch_up_resends_but_loses_no_sample()
    {
        const int cycles = 160, series = 50;
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - cycles * 1000;
        var receiver = new PrometheusLike { Down = true };
        var config = Config();
        config.BufferSyncIntervalValue = TimeSpan.FromMilliseconds(100);
        var first = new RemoteWriteExporter(config, [], new SelfMetrics(), NullLogger.Instance, receiver, _dir);
        first.Start();
        for (var c = 0; c < cycles; c++) first.Enqueue(Cycle(start + c * 1000, c, series));
        await Task.Delay(500);
        receiver.Down = false;
        int Stored() { lock (receiver.Stored) return receiver.Stored.Values.Sum(v => v.Count); }
        await WaitUntil(() => Stored() >= cycles * series / 3);
        // What kill -9 leaves: the files as they are, the last synced ledger behind what was delivered.
        var crashed = Path.Combine(_dir, "crashed");
        CopyDirectory(Path.Combine(_dir, "remote_write"), Path.Combine(crashed, "remote_write"));
        await first.DisposeAsync();

        var again = new SelfMetrics();
        await using var second = new RemoteWriteExporter(config, [], again, NullLogger.Instance, receiver, crashed);
        second.Start();
        await WaitUntil(() => Metric(again, "agent_remote_write_buffer_records") == 0 && Stored() == cycles * series,
            message: () => $"stored {Stored()} of {cycles * series}, rejected {Metric(again, "agent_remote_write_samples_dropped_total", "rejected")}");
        lock (receiver.Stored)
        {
            Assert.All(receiver.Stored.Values, v => Assert.Equal(Enumerable.Range(0, cycles).Select(c => start + c * 1000L), v));
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(dir.Replace(from, to));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories)) File.Copy(file, file.Replace(from, to));
    }

    [Fact]
    public async Task Samples_past_max_buffer_age_are_dropped_and_counted_not_sent()
    {
        var receiver = new Receiver();
        var metrics = new SelfMetrics();
        var config = Config();
        config.MaxBufferAgeValue = TimeSpan.FromMinutes(1);
        await using var exporter = new RemoteWriteExporter(config, [], metrics, NullLogger.Instance, receiver, _dir);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        exporter.Start();
        exporter.Enqueue(Cycle(now - 2 * 3600_000, 0, 10));
        await WaitUntil(() => Metric(metrics, "agent_remote_write_samples_dropped_total", "too_old") == 10);
        exporter.Enqueue(Cycle(now, 1, 10));
        await WaitUntil(() => Metric(metrics, "agent_remote_write_samples_sent_total") == 10);
        Assert.Equal(10, Metric(metrics, "agent_remote_write_samples_dropped_total", "too_old"));
        lock (receiver.Accepted) Assert.All(receiver.Accepted.SelectMany(r => r.Timeseries), ts => Assert.Equal(now, ts.Samples[0].Timestamp));
    }

    [Fact]
    public async Task Unhealthy_while_data_waits_without_progress_healthy_again_when_it_moves()
    {
        var receiver = new Receiver { Down = true };
        await using var exporter = new RemoteWriteExporter(Config(), [], new SelfMetrics(), NullLogger.Instance, receiver, _dir);
        exporter.Start();
        Assert.True(exporter.Healthy(TimeSpan.FromMilliseconds(300)));
        exporter.Enqueue(Cycle(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0, 5));
        await WaitUntil(() => !exporter.Healthy(TimeSpan.FromMilliseconds(300)));
        receiver.Down = false;
        await WaitUntil(() => exporter.Healthy(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task An_unexpected_exception_in_the_send_path_is_retried_not_fatal()
    {
        var receiver = new Receiver { Failures = 2 };
        var metrics = new SelfMetrics();
        await using var exporter = new RemoteWriteExporter(Config(), [], metrics, NullLogger.Instance, receiver, _dir);
        exporter.Start();
        exporter.Enqueue(Cycle(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0, 5));
        await WaitUntil(() => Metric(metrics, "agent_remote_write_samples_sent_total") == 5);
        Assert.Equal(2, Metric(metrics, "agent_remote_write_retries_total"));
    }
}
