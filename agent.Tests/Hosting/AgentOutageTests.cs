using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Hosting;

/// <summary>
/// The disk buffer end to end, at CI scale: the real agent pushing every second to a stock
/// Prometheus that is stopped for 45 s, the agent stopped with SIGTERM once and killed with -9
/// twice inside the outage, Prometheus started again on the same data directory. Every cycle
/// any of the four agent runs collected must be in Prometheus, once, and the buffer must empty.
/// bench/outage.sh runs the same at full length beside vmagent and Prometheus agent mode.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class AgentOutageTests : IDisposable
{
    private const string Host = "outage-host";
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-outage-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Every_cycle_survives_an_outage_with_sigterm_and_two_kill_9_restarts()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "host collectors are Linux-only");
        var outage = TimeSpan.FromSeconds(45);
        await using var prometheus = await MetricsBackend.StartPrometheusAsync();
        var config = Path.Combine(_dir, "agent.toml");
        var lastSeen = new List<double>();

        var (a, portA) = Start(config, prometheus.WriteUrl);
        await prometheus.WaitForAsync($"agent_collection_cycles_total{{host=\"{Host}\"}} >= 3", TimeSpan.FromSeconds(30));
        await prometheus.StopAsync();
        var outageStarted = DateTime.UtcNow;

        await Until(outageStarted + outage * 0.2);
        lastSeen.Add(await CyclesAsync(portA));
        var stopping = DateTime.UtcNow;
        Assert.Equal(0, await a.TerminateAsync(TimeSpan.FromSeconds(20)));
        // Unsent data stays on disk: SIGTERM does not wait out shutdown_timeout (10 s) for a monitor that is down.
        Assert.True(DateTime.UtcNow - stopping < TimeSpan.FromSeconds(6), $"SIGTERM took {DateTime.UtcNow - stopping}");
        Assert.Contains("stay in the disk buffer", a.Stdout + a.Stderr);
        await a.DisposeAsync();

        var (b, portB) = Start(config, prometheus.WriteUrl);
        await Until(outageStarted + outage * 0.5);
        lastSeen.Add(await CyclesAsync(portB));
        // B has had data pending without progress for longer than stall_timeout.
        using (var health = await _http.GetAsync($"http://127.0.0.1:{portB}/healthz"))
        {
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, health.StatusCode);
        }
        await b.DisposeAsync(); // SIGKILL: no flush, no ledger save

        var (c, portC) = Start(config, prometheus.WriteUrl);
        await Until(outageStarted + outage * 0.8);
        lastSeen.Add(await CyclesAsync(portC));
        await c.DisposeAsync();

        var (d, portD) = Start(config, prometheus.WriteUrl);
        await Until(outageStarted + outage);
        await prometheus.RestartAsync();
        // Caught up: the buffer is empty and this run's own cycles arrive.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (await GaugeAsync(portD, "agent_remote_write_buffer_records") != 0 || await GaugeAsync(portD, "agent_remote_write_samples_sent_total") == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the buffer did not empty after Prometheus came back\n" + d.Stdout + d.Stderr);
            await Task.Delay(250);
        }
        lastSeen.Add(await CyclesAsync(portD));
        Assert.Equal("ok\n", await _http.GetStringAsync($"http://127.0.0.1:{portD}/healthz"));
        Assert.Equal(0, await d.TerminateAsync(TimeSpan.FromSeconds(20)));
        var output = d.Stdout + d.Stderr;
        await d.DisposeAsync();

        var runs = await RunsAsync(prometheus);
        Assert.Equal(4, runs.Count);
        for (var r = 0; r < runs.Count; r++)
        {
            // Counter values 1..N with none missing: every cycle of the run arrived, in order.
            Assert.True(runs[r].SequenceEqual(Enumerable.Range(1, runs[r].Count).Select(i => (double)i)),
                $"run {r}: {string.Join(",", runs[r])}");
            Assert.True(runs[r].Count >= lastSeen[r], $"run {r}: {runs[r].Count} cycles in Prometheus, the agent had reported {lastSeen[r]}");
        }
        var cycles = runs.Sum(r => r.Count);
        foreach (var selector in new[] { "node_load1", "node_time_seconds", "node_memory_MemTotal_bytes", "node_cpu_seconds_total{mode=\"idle\"}" })
        {
            var expression = selector.Contains('{') ? selector.Replace("{", $"{{host=\"{Host}\",") : $"{selector}{{host=\"{Host}\"}}";
            var counts = await prometheus.QueryAsync($"count_over_time({expression}[30m])");
            Assert.NotEmpty(counts);
            Assert.All(counts, s => Assert.True(s.Value == cycles, $"{selector}: {s.Value} samples, the agent ran {cycles} cycles"));
        }
        TestReport.Write($"outage test: {outage.TotalSeconds:F0} s outage, SIGTERM + 2 x kill -9, {cycles} cycles in {runs.Count} runs, all {cycles} in Prometheus");
        Assert.DoesNotContain("HTTP 4", output);
        Assert.DoesNotContain("out of order", prometheus.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "data", "remote_write"), "*.seg", SearchOption.AllDirectories));
    }

    private (AgentProcess Agent, int Port) Start(string config, string writeUrl)
    {
        var port = FreePort.Next();
        File.WriteAllText(config, $"""
            [agent]
            hostname = "{Host}"
            interval = "1s"
            data_dir = "{_dir}/data"
            stall_timeout = "5s"
            [http]
            listen = "127.0.0.1:{port}"
            [process]
            enabled = false
            [containers]
            enabled = false
            [[remote_write]]
            url = "{writeUrl}"
            buffer = "disk"
            min_backoff = "30ms"
            max_backoff = "1s"
            """);
        return (AgentProcess.Start(["run", "--config", config]), port);
    }

    private static async Task Until(DateTime when)
    {
        var wait = when - DateTime.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
    }

    private Task<double> CyclesAsync(int port) => GaugeAsync(port, "agent_collection_cycles_total");

    /// <summary>The sum of one self-metric's series on the agent's /metrics (polled until it answers).</summary>
    private async Task<double> GaugeAsync(int port, string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                var text = await _http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
                var sum = 0.0;
                foreach (Match m in Regex.Matches(text, $"^{name}(?:{{[^}}]*}})? (\\S+)$", RegexOptions.Multiline))
                {
                    sum += double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                }
                return sum;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>agent_collection_cycles_total as Prometheus stored it, cut into runs where the counter restarts.</summary>
    private async Task<List<List<double>>> RunsAsync(MetricsBackend prometheus)
    {
        var query = Uri.EscapeDataString($"agent_collection_cycles_total{{host=\"{Host}\"}}[30m]");
        using var doc = JsonDocument.Parse(await _http.GetStringAsync($"{prometheus.BaseUrl}/api/v1/query?query={query}"));
        var series = doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Single();
        var runs = new List<List<double>>();
        var previous = double.MaxValue;
        foreach (var point in series.GetProperty("values").EnumerateArray())
        {
            var value = double.Parse(point[1].GetString()!, CultureInfo.InvariantCulture);
            if (value <= previous) runs.Add([]);
            runs[^1].Add(value);
            previous = value;
        }
        return runs;
    }
}
