using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Scrape;

/// <summary>
/// The agent executable scraping real exporters and pushing to a stock Prometheus, which also
/// scrapes the same exporter itself: what arrives must be what Prometheus would have stored.
/// </summary>
public sealed class ScrapeEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-scrape-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] StableGauges =
        ["node_memory_MemTotal_bytes", "node_boot_time_seconds", "node_uname_info", "node_filesystem_size_bytes", "node_network_mtu_bytes"];

    private string AgentConfig(string writeUrl, string scrape) => WriteConfig($"""
        [agent]
        hostname = "scraper"
        interval = "1s"
        data_dir = "{_dir}/data"
        [http]
        listen = ""
        [host]
        enabled = false
        [process]
        enabled = false
        [containers]
        enabled = false
        [logs.docker]
        enabled = false
        [[remote_write]]
        url = "{writeUrl}"
        {scrape}
        """);

    private string WriteConfig(string text)
    {
        var path = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A label set as text without the agent's external labels, which Prometheus' own scrape does not have.</summary>
    private static string Identity(Dictionary<string, string> labels) =>
        string.Join(",", labels.Where(l => l.Key is not ("host" or "environment")).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    [Fact]
    public async Task Node_exporter_scraped_by_the_agent_matches_prometheus_scraping_it_and_up_follows_the_target()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "node_exporter is a Linux test");
        var exporterBinary = ServerBinary.Require("prometheus-node-exporter");
        var port = FreePort.Next();
        string[] exporterArgs = [$"--web.listen-address=127.0.0.1:{port}"];
        var exporter = ServerProcess.Start(exporterBinary, exporterArgs);
        try
        {
            await exporter.WaitReadyAsync($"http://127.0.0.1:{port}/metrics", TimeSpan.FromSeconds(30));
            await using var prometheus = await MetricsBackend.StartPrometheusAsync(scrapeConfigs:
                $"  - job_name: node\n    scrape_interval: 1s\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n");
            var config = AgentConfig(prometheus.WriteUrl, $"""
                [[scrape]]
                job_name = "node"
                targets = ["127.0.0.1:{port}"]
                """);
            await using var agent = AgentProcess.Start(["run", "--config", config]);

            await prometheus.WaitForAsync("count_over_time(up{job=\"node\",host=\"scraper\"}[1m]) >= 4", TimeSpan.FromSeconds(40));
            await prometheus.WaitForAsync("count_over_time(up{job=\"node\",host=\"\"}[1m]) >= 4", TimeSpan.FromSeconds(20));

            // Other tests start and stop containers meanwhile, so their veth interfaces come and go between the two
            // scrapers' moments: leave them out, and let a difference prove itself in more than one window.
            HashSet<string> direct = [], viaAgent = [];
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var window = TimeSpan.FromSeconds(3);
                direct = (await prometheus.SeriesAsync("{job=\"node\",host=\"\",device!~\"veth.*\"}", window)).Select(Identity).ToHashSet();
                viaAgent = (await prometheus.SeriesAsync("{job=\"node\",host=\"scraper\",environment=\"production\",device!~\"veth.*\"}", window)).Select(Identity).ToHashSet();
                if (direct.SetEquals(viaAgent)) break;
                await Task.Delay(window);
            }
            output.WriteLine($"direct {direct.Count} series, via the agent {viaAgent.Count}");
            Assert.True(direct.Count > 200, $"only {direct.Count} series from node_exporter");
            Assert.Empty(direct.Except(viaAgent).Order());
            Assert.Empty(viaAgent.Except(direct).Order());
            Assert.Contains($"__name__=scrape_series_added,instance=127.0.0.1:{port},job=node", viaAgent);

            // scrape_samples_scraped too moves with those interfaces: equal values must also hold in one of a few tries.
            var mismatches = new List<string>();
            for (var attempt = 0; attempt < 3; attempt++)
            {
                mismatches.Clear();
                foreach (var name in StableGauges.Append("scrape_samples_scraped"))
                {
                    var values = await prometheus.QueryAsync($"{name}{{job=\"node\",device!~\"veth.*\"}}");
                    var byIdentity = values.GroupBy(v => Identity(v.Labels)).ToList();
                    if (byIdentity.Count == 0) mismatches.Add($"{name}: no series");
                    foreach (var pair in byIdentity)
                    {
                        if (pair.Count() != 2) mismatches.Add($"{name} {pair.Key}: {pair.Count()} series");
                        else if (pair.First().Value != pair.Last().Value) mismatches.Add($"{name} {pair.Key}: {pair.First().Value} vs {pair.Last().Value}");
                    }
                }
                if (mismatches.Count == 0) break;
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
            Assert.Empty(mismatches);

            // The target stops: up 0 and every series it had ends at once (stale markers), as with Prometheus.
            await exporter.DisposeAsync();
            await prometheus.WaitForAsync("up{job=\"node\",host=\"scraper\"} == 0", TimeSpan.FromSeconds(20));
            await WaitEmptyAsync(prometheus, "node_uname_info{job=\"node\",host=\"scraper\"}");
            var down = await prometheus.QueryAsync("scrape_samples_scraped{job=\"node\",host=\"scraper\"}");
            Assert.Equal(0, down.Single().Value);

            // And starts again on the same port: up 1, series back.
            exporter = ServerProcess.Start(exporterBinary, exporterArgs);
            await prometheus.WaitForAsync("up{job=\"node\",host=\"scraper\"} == 1", TimeSpan.FromSeconds(30));
            await prometheus.WaitForAsync("node_uname_info{job=\"node\",host=\"scraper\"}", TimeSpan.FromSeconds(10));
            var log = agent.Stdout + agent.Stderr;
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(log, "scrape node .* failed, up 0"));
            Assert.Contains("up again", log);
            Assert.DoesNotContain("HTTP 4", log);
            Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(20)));
        }
        finally
        {
            await exporter.DisposeAsync();
        }
    }

    [Fact]
    public async Task Nginx_exporter_in_front_of_stub_status_is_scraped()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "nginx is a Linux test here");
        var nginxBinary = ServerBinary.FindOnPath("nginx") ?? (File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : ServerBinary.Require("nginx"));
        var exporterBinary = ServerBinary.Require("prometheus-nginx-exporter");
        var nginxPort = FreePort.Next();
        var prefix = Directory.CreateDirectory(Path.Combine(_dir, "nginx")).FullName;
        var nginxConfig = Path.Combine(prefix, "nginx.conf");
        File.WriteAllText(nginxConfig, $$"""
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path {{prefix}}/body;
                proxy_temp_path {{prefix}}/proxy;
                fastcgi_temp_path {{prefix}}/fastcgi;
                uwsgi_temp_path {{prefix}}/uwsgi;
                scgi_temp_path {{prefix}}/scgi;
                server {
                    listen 127.0.0.1:{{nginxPort}};
                    location = /stub_status { stub_status; }
                }
            }
            """);
        await using var nginx = ServerProcess.Start(nginxBinary, ["-p", prefix, "-c", nginxConfig, "-g", "daemon off;"]);
        await nginx.WaitReadyAsync($"http://127.0.0.1:{nginxPort}/stub_status", TimeSpan.FromSeconds(20));
        var exporterPort = FreePort.Next();
        await using var exporter = ServerProcess.Start(exporterBinary,
            ["-nginx.scrape-uri", $"http://127.0.0.1:{nginxPort}/stub_status", "-web.listen-address", $"127.0.0.1:{exporterPort}"]);
        await exporter.WaitReadyAsync($"http://127.0.0.1:{exporterPort}/metrics", TimeSpan.FromSeconds(20));

        await using var prometheus = await MetricsBackend.StartPrometheusAsync();
        var config = AgentConfig(prometheus.WriteUrl, $"""
            [[scrape]]
            job_name = "nginx"
            targets = ["127.0.0.1:{exporterPort}"]
            labels = {"{"} site = "web" {"}"}
            metric_relabel = [{"{"} action = "drop", regex = "nginxexporter_.*" {"}"}]
            """);
        await using var agent = AgentProcess.Start(["run", "--config", config]);
        var instance = $"127.0.0.1:{exporterPort}";
        var up = await prometheus.WaitForAsync($"nginx_up{{job=\"nginx\",instance=\"{instance}\",site=\"web\",host=\"scraper\"}}", TimeSpan.FromSeconds(30));
        Assert.Equal(1, up.Single().Value);
        var accepted = await prometheus.WaitForAsync("nginx_connections_accepted{job=\"nginx\"} >= 1", TimeSpan.FromSeconds(20));
        Assert.Single(accepted);
        Assert.Equal(1, (await prometheus.WaitForAsync($"up{{job=\"nginx\",instance=\"{instance}\"}}", TimeSpan.FromSeconds(10))).Single().Value);
        Assert.Empty(await prometheus.QueryAsync("{__name__=~\"nginxexporter_.*\",job=\"nginx\"}"));
        var scraped = (await prometheus.QueryAsync("scrape_samples_scraped{job=\"nginx\"}")).Single().Value;
        var kept = (await prometheus.QueryAsync("scrape_samples_post_metric_relabeling{job=\"nginx\"}")).Single().Value;
        Assert.True(kept > 0 && kept < scraped, $"{kept} of {scraped} kept");
        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(20)));
    }

    private static async Task WaitEmptyAsync(MetricsBackend backend, string query)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while ((await backend.QueryAsync(query)).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"`{query}` still has data: no stale markers?");
            await Task.Delay(300);
        }
    }
}
