using System.Diagnostics;
using Agent.Collectors.Scrape;
using Agent.Config;
using Agent.Pipeline;
using Agent.Tests.Support;
using Xunit;
using static Agent.Tests.Collectors.Scrape.ScrapeTestTargets;

namespace Agent.Tests.Collectors.Scrape;

/// <summary>Scrapes of a real HTTP endpoint on 127.0.0.1: formats, encodings, failures and what reaches the pipeline.</summary>
public sealed class ScrapeLoopTests
{
    private static byte[] Fixture(params string[] path) => File.ReadAllBytes(Fixtures.Path(["exposition", .. path]));

    private static (ScrapeLoop Loop, RecordingSink Sink, ListLogger Log, ScrapeHttp Http) Loop(TargetServer server, ScrapeConfig? job = null)
    {
        job ??= Job();
        var sink = new RecordingSink();
        var log = new ListLogger();
        var http = new ScrapeHttp(job);
        return (new ScrapeLoop(Target(job, server.Address), http, sink, log), sink, log, http);
    }

    private static double Report(RecordingSink sink, string name) =>
        sink.Batches[^1].Families.Single(f => f.Name == name).Samples.Single().Value;

    [Fact]
    public async Task Gzip_text_body_is_scraped_with_prometheus_request_headers_and_report_series()
    {
        await using var server = new TargetServer { Body = Fixture("node-exporter-text.prom"), Gzip = true };
        var (loop, sink, _, http) = Loop(server);
        using var client = http;
        var status = await loop.ScrapeOnceAsync(CancellationToken.None);
        Assert.True(status.Up, status.Error);
        Assert.Equal(200, status.HttpStatus);
        Assert.Contains("Accept: application/openmetrics-text;version=1.0.0,", server.LastRequest);
        Assert.Contains("text/plain;version=0.0.4;q=0.5", server.LastRequest);
        Assert.Contains("Accept-Encoding: gzip", server.LastRequest);
        Assert.Contains("X-Prometheus-Scrape-Timeout-Seconds: 1\r\n", server.LastRequest);

        var expected = new List<MetricFamily>();
        Assert.True(Agent.Collectors.Exposition.ExpositionFamilies.TryParse(Fixture("node-exporter-text.prom"),
            Agent.Collectors.Exposition.ExpositionFormat.Text, expected, out _));
        var samples = expected.Sum(f => f.Samples.Count);
        Assert.Equal(samples, status.Samples);
        Assert.Equal(1, Report(sink, "up"));
        Assert.Equal(samples, Report(sink, "scrape_samples_scraped"));
        Assert.Equal(samples, Report(sink, "scrape_samples_post_metric_relabeling"));
        Assert.Equal(samples, Report(sink, "scrape_series_added"));
        Assert.InRange(Report(sink, "scrape_duration_seconds"), 0, 1);
        var up = sink.Batches[^1].Families.Single(f => f.Name == "up").Samples[0].Labels;
        Assert.Equal([new Label("instance", server.Address), new Label("job", "app")], up);
        Assert.Equal("app", sink.Batches[^1].Job);

        await loop.ScrapeOnceAsync(CancellationToken.None);
        Assert.Equal(0, Report(sink, "scrape_series_added"));
    }

    [Fact]
    public async Task OpenMetrics_content_type_selects_the_openmetrics_parser()
    {
        await using var server = new TargetServer
        {
            Body = Fixture("openmetrics-1.0.txt"),
            ContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8",
        };
        var (loop, sink, _, http) = Loop(server);
        using var client = http;
        var status = await loop.ScrapeOnceAsync(CancellationToken.None);
        Assert.True(status.Up, status.Error);
        Assert.Contains(sink.Samples(), s => s.Name == "process_cpu_seconds_created" && s.Value == 1.6052813e+09);
        // The same body read as text 0.0.4 would have failed on "# UNIT"-free exemplars; as OpenMetrics the
        // one sample with its own timestamp arrives in a batch of its own.
        Assert.Contains(sink.Batches, b => b.TimestampMs == 1520879607789);
    }

    [Theory]
    [InlineData("garbage.bin")]
    [InlineData("html.prom")]
    [InlineData("duplicate-series.prom")]
    [InlineData("invalid-utf8.prom")]
    public async Task Malformed_bodies_give_up_0_and_one_log_line_until_fixed(string file)
    {
        await using var server = new TargetServer { Body = Fixture("malformed", file) };
        var (loop, sink, log, http) = Loop(server);
        using var client = http;
        for (var i = 0; i < 3; i++)
        {
            var status = await loop.ScrapeOnceAsync(CancellationToken.None);
            Assert.False(status.Up);
            Assert.StartsWith("line ", status.Error);
            Assert.Equal(0, Report(sink, "up"));
        }
        var line = Assert.Single(log.Messages);
        Assert.StartsWith($"scrape app http://{server.Address}/metrics failed, up 0: line ", line);
        Assert.True(line.Length < 400, line);

        server.Text = "ok 1\n";
        Assert.True((await loop.ScrapeOnceAsync(CancellationToken.None)).Up);
        Assert.Equal(1, Report(sink, "up"));
        Assert.Equal(2, log.Messages.Count);
        Assert.Contains("up again", log.Messages[1]);
    }

    [Fact]
    public async Task Huge_label_values_fail_the_scrape_under_the_default_limit()
    {
        await using var server = new TargetServer { Text = $"a{{v=\"{new string('x', 1 << 20)}\"}} 1\n" };
        var job = Job();
        job.LabelValueLengthLimit = new ScrapeConfig().LabelValueLengthLimit;
        var (loop, sink, log, http) = Loop(server, job);
        using var client = http;
        var status = await loop.ScrapeOnceAsync(CancellationToken.None);
        Assert.Equal("line 1: label v: value of 1048576 bytes is over the limit of 2048", status.Error);
        Assert.Single(log.Messages);
    }

    [Fact]
    public async Task A_body_over_the_limit_fails_the_scrape()
    {
        await using var server = new TargetServer { Body = Fixture("node-exporter-text.prom"), Gzip = true };
        var job = Job();
        job.BodySizeLimit = 1000;
        var (loop, sink, _, http) = Loop(server, job);
        using var client = http;
        var status = await loop.ScrapeOnceAsync(CancellationToken.None);
        Assert.False(status.Up);
        Assert.Equal("body larger than body_size_limit (1000 bytes)", status.Error);
        Assert.Equal(0, Report(sink, "up"));
        Assert.Equal(0, Report(sink, "scrape_samples_scraped"));
    }

    [Fact]
    public async Task Error_statuses_and_refused_connections_are_up_0()
    {
        await using var server = new TargetServer { Text = "a 1\n", Status = 503 };
        var (loop, sink, _, http) = Loop(server);
        using var client = http;
        var status = await loop.ScrapeOnceAsync(CancellationToken.None);
        Assert.Equal((false, 503), (status.Up, status.HttpStatus));
        Assert.Equal("HTTP 503 Error", status.Error);

        var refused = Job();
        var port = FreePort.Next();
        using var refusedHttp = new ScrapeHttp(refused);
        var gone = await new ScrapeLoop(Target(refused, $"127.0.0.1:{port}"), refusedHttp, sink, new ListLogger()).ScrapeOnceAsync(CancellationToken.None);
        Assert.False(gone.Up);
        Assert.Equal(0, gone.HttpStatus);
        Assert.Contains("refused", gone.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_target_that_never_answers_costs_its_own_timeout_and_nothing_else()
    {
        await using var hanging = new TargetServer { Hang = true };
        await using var healthy = new TargetServer { Text = "a 1\n" };
        var config = ConfigLoader.Parse($$"""
            [agent]
            interval = "1s"
            [containers]
            enabled = false
            [[scrape]]
            job_name = "hangs"
            targets = ["{{hanging.Address}}"]
            timeout = "700ms"
            [[scrape]]
            job_name = "healthy"
            targets = ["{{healthy.Address}}"]
            interval = "200ms"
            """, "agent.toml", _ => null);
        var sink = new RecordingSink();
        var log = new ListLogger();
        await using (var manager = new ScrapeManager(config, sink, log, null))
        {
            var started = Stopwatch.StartNew();
            manager.Start();
            await Task.Delay(3000);
            var healthyUps = sink.Batches.Count(b => b.Job == "healthy");
            // 200 ms interval over 3 s: the hanging target's 700 ms timeouts hold up nothing.
            Assert.InRange(healthyUps, 8, 16);
            var hangs = sink.Batches.Where(b => b.Job == "hangs").ToList();
            Assert.InRange(hangs.Count, 2, 4);
            Assert.All(hangs, b => Assert.Equal(0, b.Families.Single(f => f.Name == "up").Samples[0].Value));
            Assert.All(hangs, b => Assert.InRange(b.Families.Single(f => f.Name == "scrape_duration_seconds").Samples[0].Value, 0.65, 1.5));
        }
        Assert.Single(log.Messages, l => l.Contains("hangs") && l.Contains("no complete answer within the timeout (0.7s)"));
        Assert.True(hanging.Requests >= 2);
    }

    [Fact]
    public async Task Basic_auth_and_bearer_token_files_are_sent_and_token_files_reread_per_scrape()
    {
        await using var server = new TargetServer { Text = "a 1\n" };
        var basic = Job();
        basic.BasicAuth = new BasicAuthConfig { Username = "scraper", Password = "s3cret" };
        var (loop, _, _, http) = Loop(server, basic);
        using (http) await loop.ScrapeOnceAsync(CancellationToken.None);
        Assert.Contains($"Authorization: Basic {Convert.ToBase64String("scraper:s3cret"u8)}\r\n", server.LastRequest);

        var tokenFile = Path.GetTempFileName();
        try
        {
            File.WriteAllText(tokenFile, "first\n");
            var bearer = Job();
            bearer.BearerTokenFile = tokenFile;
            var (tokenLoop, _, _, tokenHttp) = Loop(server, bearer);
            using var client = tokenHttp;
            await tokenLoop.ScrapeOnceAsync(CancellationToken.None);
            Assert.Contains("Authorization: Bearer first\r\n", server.LastRequest);
            File.WriteAllText(tokenFile, "rotated");
            await tokenLoop.ScrapeOnceAsync(CancellationToken.None);
            Assert.Contains("Authorization: Bearer rotated\r\n", server.LastRequest);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Fact]
    public void Offsets_spread_targets_and_keep_their_phase()
    {
        var job = Job(interval: TimeSpan.FromSeconds(15));
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var a = ScrapeLoop.Offset(Target(job, "10.0.0.1:9100"), job.IntervalValue, now);
        var b = ScrapeLoop.Offset(Target(job, "10.0.0.2:9100"), job.IntervalValue, now);
        Assert.NotEqual(a, b);
        Assert.InRange(a, TimeSpan.Zero, job.IntervalValue);
        // Five seconds later the same target is due five seconds sooner (modulo the interval).
        var later = ScrapeLoop.Offset(Target(job, "10.0.0.1:9100"), job.IntervalValue, now.AddSeconds(5));
        Assert.Equal((a - TimeSpan.FromSeconds(5) + job.IntervalValue).Ticks % job.IntervalValue.Ticks, later.Ticks);
    }
}
