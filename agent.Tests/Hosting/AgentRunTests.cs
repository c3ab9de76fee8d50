using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Hosting;

/// <summary>
/// The published path end to end: the real agent executable pushes to a stock Prometheus and a
/// stock VictoriaMetrics at once, serves /metrics and /healthz, and exits 0 on SIGTERM.
/// </summary>
public sealed class AgentRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-run-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Pushes_host_metrics_to_prometheus_and_victoria_metrics()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "host collectors are Linux-only");
        await using var prometheus = await MetricsBackend.StartPrometheusAsync();
        await using var victoria = await MetricsBackend.StartVictoriaMetricsAsync();
        var httpPort = FreePort.Next();
        var config = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(config, $"""
            [agent]
            hostname = "e2e-host"
            environment = "{"${E2E_ENV}"}"
            interval = "1s"
            data_dir = "{_dir}/data"

            [labels]
            team = "ops"

            [http]
            listen = "127.0.0.1:{httpPort}"

            [[remote_write]]
            url = "{prometheus.WriteUrl}"

            [[remote_write]]
            url = "{victoria.WriteUrl}"
            """);
        await using var agent = AgentProcess.Start(["run", "--config", config], new Dictionary<string, string> { ["E2E_ENV"] = "ci" });

        var cpus = Environment.ProcessorCount;
        foreach (var backend in new[] { prometheus, victoria })
        {
            var idle = await backend.WaitForAsync(
                "node_cpu_seconds_total{host=\"e2e-host\",instance=\"e2e-host\",job=\"node\",environment=\"ci\",team=\"ops\",mode=\"idle\"}",
                TimeSpan.FromSeconds(30), cpus);
            Assert.Equal(cpus, idle.Count);
            Assert.All(idle, s => Assert.True(s.Value > 0, $"{backend.Kind}: idle seconds {s.Value}"));

            var available = await backend.WaitForAsync("node_memory_MemAvailable_bytes{host=\"e2e-host\"}", TimeSpan.FromSeconds(30));
            var total = await backend.WaitForAsync("node_memory_MemTotal_bytes{host=\"e2e-host\"}", TimeSpan.FromSeconds(30));
            Assert.InRange(available[0].Value, 1, total[0].Value);
            Assert.Equal(MemTotalFromProc(), total[0].Value);

            // Both exporters report their own deliveries on the next cycles.
            await backend.WaitForAsync("agent_remote_write_samples_sent_total{job=\"agent\",host=\"e2e-host\"} > 0", TimeSpan.FromSeconds(30), minResults: 2);
        }
        Assert.DoesNotContain("HTTP 4", agent.Stderr + agent.Stdout);

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{httpPort}/metrics");
        Assert.Contains("node_cpu_seconds_total{cpu=\"0\",environment=\"ci\",host=\"e2e-host\",mode=\"idle\",team=\"ops\"}", metrics);
        Assert.Contains("agent_scrape_collector_success{collector=\"meminfo\",environment=\"ci\",host=\"e2e-host\",team=\"ops\"} 1", metrics);
        // Job node and the agent's own batch both carry process_*; a scrape shows the family once.
        Assert.Single(metrics.Split('\n'), l => l == "# TYPE process_cpu_seconds_total counter");
        Assert.Equal("ok\n", await http.GetStringAsync($"http://127.0.0.1:{httpPort}/healthz"));

        var exit = await agent.TerminateAsync(TimeSpan.FromSeconds(20));
        Assert.True(exit == 0, $"exit {exit}\n{agent.Stdout}\n{agent.Stderr}");
    }

    [Fact]
    public async Task Dashboard_queries_return_sane_values_from_prometheus_fed_by_the_agent()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "host collectors are Linux-only");
        await using var prometheus = await MetricsBackend.StartPrometheusAsync();
        var config = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(config, $"""
            [agent]
            hostname = "dash-host"
            interval = "1s"
            data_dir = "{_dir}/data"
            [http]
            listen = ""
            [[remote_write]]
            url = "{prometheus.WriteUrl}"
            """);
        await using var agent = AgentProcess.Start(["run", "--config", config]);
        await prometheus.WaitForAsync("count_over_time(node_cpu_seconds_total{host=\"dash-host\",mode=\"idle\",cpu=\"0\"}[1m]) >= 5", TimeSpan.FromSeconds(40));

        // The "Node Exporter Full" style expressions and the HighCPU / HighMemory / HighDisk alert inputs.
        var cpu = await prometheus.WaitForAsync("100 - avg by (instance)(rate(node_cpu_seconds_total{mode=\"idle\",host=\"dash-host\"}[5m])) * 100", TimeSpan.FromSeconds(20));
        Assert.Equal("dash-host", cpu.Single().Labels["instance"]);
        Assert.InRange(cpu.Single().Value, 0, 100);
        var memory = await prometheus.WaitForAsync("(1 - node_memory_MemAvailable_bytes{host=\"dash-host\"} / node_memory_MemTotal_bytes{host=\"dash-host\"}) * 100", TimeSpan.FromSeconds(20));
        Assert.InRange(memory.Single().Value, 0.1, 100);
        var disk = await prometheus.WaitForAsync("(1 - node_filesystem_avail_bytes{host=\"dash-host\",mountpoint=\"/\"} / node_filesystem_size_bytes{host=\"dash-host\",mountpoint=\"/\"}) * 100", TimeSpan.FromSeconds(20));
        Assert.InRange(disk.Single().Value, 0.001, 100);
        var up = await prometheus.WaitForAsync("time() - node_boot_time_seconds{host=\"dash-host\"}", TimeSpan.FromSeconds(20));
        Assert.True(up.Single().Value > 0);
        var network = await prometheus.WaitForAsync("sum by (instance)(rate(node_network_receive_bytes_total{host=\"dash-host\"}[1m]))", TimeSpan.FromSeconds(20));
        Assert.True(network.Single().Value >= 0);
        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Sigterm_with_an_unreachable_monitor_exits_0_within_the_shutdown_timeout()
    {
        var config = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(config, $"""
            [agent]
            interval = "1s"
            shutdown_timeout = "2s"
            data_dir = "{_dir}/data"
            [http]
            listen = ""
            [[remote_write]]
            url = "http://127.0.0.1:{FreePort.Next()}/api/v1/write"
            buffer = "memory"
            """);
        await using var agent = AgentProcess.Start(["run", "--config", config]);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var started = DateTime.UtcNow;
        var exit = await agent.TerminateAsync(TimeSpan.FromSeconds(15));
        Assert.True(exit == 0, $"exit {exit}\n{agent.Stdout}\n{agent.Stderr}");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(8), "shutdown took longer than the deadline allows");
        Assert.Contains("not delivered before the shutdown deadline", agent.Stdout + agent.Stderr);
    }

    [Fact]
    public async Task Tails_a_file_into_loki_exactly_once_with_the_documented_labels()
    {
        await using var receiver = new LokiReceiver();
        var log = Path.Combine(_dir, "app.log");
        File.WriteAllText(log, "before start\n");
        var config = Path.Combine(_dir, "agent.toml");
        const string inlineLabels = "{ job = \"varlogs\", app = \"demo\" }";
        File.WriteAllText(config, $"""
            [agent]
            hostname = "e2e-host"
            environment = "ci"
            interval = "1s"
            data_dir = "{_dir}/data"
            [labels]
            team = "ops"
            [http]
            listen = ""
            [[loki]]
            url = "{receiver.PushUrl}"
            batch_wait = "200ms"
            [logs.docker]
            enabled = false
            [[logs.files]]
            paths = ["{_dir}/*.log"]
            labels = {inlineLabels}
            """);
        await using var agent = AgentProcess.Start(["run", "--config", config]);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(agent.Stdout + agent.Stderr).Contains("tailing " + log))
        {
            Assert.True(DateTime.UtcNow < deadline, agent.Stdout + agent.Stderr);
            await Task.Delay(100);
        }
        await using (var w = new StreamWriter(log, append: true))
        {
            for (var i = 0; i < 300; i++) await w.WriteLineAsync($"line {i:D4}");
        }
        var lines = await receiver.WaitForLinesAsync(300, TimeSpan.FromSeconds(15));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"line {i:D4}"), lines);
        Assert.Equal($"{{app=\"demo\", environment=\"ci\", filename=\"{log}\", host=\"e2e-host\", job=\"varlogs\", team=\"ops\"}}", receiver.Accepted[0].Stream);

        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(20)));
        var positions = File.ReadAllText(Path.Combine(_dir, "data", "positions.json"));
        Assert.Contains($"\"offset\": {new FileInfo(log).Length}", positions);
    }

    [Fact]
    public async Task Check_passes_against_live_prometheus_and_loki()
    {
        await using var prometheus = await MetricsBackend.StartPrometheusAsync();
        await using var loki = await LokiServer.StartAsync();
        var log = Path.Combine(_dir, "app.log");
        File.WriteAllText(log, "x\n");
        var config = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(config, $"""
            [agent]
            data_dir = "{_dir}/data"
            [[remote_write]]
            url = "{prometheus.WriteUrl}"
            [[loki]]
            url = "{loki.PushUrl}"
            [[logs.files]]
            paths = ["{log}"]
            [containers]
            enabled = false
            """);
        var (code, stdout, stderr) = await AgentProcess.RunAsync(["check", "--config", config]);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("PASS  remote_write[0]", stdout);
        Assert.Contains("PASS  loki[0]", stdout);
        Assert.Contains("PASS  logs.files[0]", stdout);
        Assert.DoesNotContain("FAIL", stdout);
    }

    private static double MemTotalFromProc()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (!line.StartsWith("MemTotal:", StringComparison.Ordinal)) continue;
            var kb = line["MemTotal:".Length..].Trim().Split(' ')[0];
            return double.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException("no MemTotal in /proc/meminfo");
    }
}
