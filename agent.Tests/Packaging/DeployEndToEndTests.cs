using System.Diagnostics;
using System.Text.Json;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Packaging;

/// <summary>
/// The seed's deployment end to end on loopback: the monitor installed from packaging/monitor
/// (Debian's prometheus and prometheus-alertmanager, stock Loki, email to an SMTP sink) and the
/// real agent with the packaged configuration. The node appears with no server-side edit; a
/// container that exits 1 brings the ContainerDown email; kill -9 of the agent brings the
/// NodeDown email within 3 minutes, and starting it again the resolved one. Every query of the
/// fleet dashboard runs against the servers that hold the data.
/// </summary>
public sealed class DeployEndToEndTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-deploy-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Alerts_reach_the_inbox_and_the_fleet_dashboard_has_data()
    {
        await DockerEngine.RequireAsync();
        await using var monitor = await MonitorStack.StartAsync();
        var host = "deploy-" + Guid.NewGuid().ToString("N")[..8];
        var log = Path.Combine(_dir, "app.log");
        File.WriteAllText(log, "");
        var environment = AgentEnvironment(monitor, host);
        var config = PackagedConfigWithContainers(log);

        await using var first = AgentProcess.Start(["run", "--config", config], environment);
        var started = Stopwatch.StartNew();
        // Appears with no server-side edit: its series arrive, and the presence NodeDown reads is recorded.
        await monitor.Prometheus.WaitForAsync($"agent_collection_cycles_total{{job=\"agent\",host=\"{host}\"}}", TimeSpan.FromSeconds(60));
        TestReport.Write($"deploy: node {host} visible in Prometheus {started.Elapsed.TotalSeconds:F0} s after the agent started");

        var crashed = DockerEngine.UniqueName("deploy-exit1");
        var sleeper = DockerEngine.UniqueName("deploy-running");
        try
        {
            await DockerEngine.RunCheckedAsync(["run", "-d", "--name", sleeper, "--init", DockerEngine.Image, "sleep", "600"]);
            var exitedAt = Stopwatch.StartNew();
            await DockerEngine.RunCheckedAsync(["run", "-d", "--name", crashed, DockerEngine.Image, "sh", "-c", "exit 1"]);
            await File.AppendAllLinesAsync(log, Enumerable.Range(0, 20).Select(i =>
                $"{{\"level\":\"{(i % 4 == 0 ? "error" : "info")}\",\"msg\":\"request {i}\"}}"));

            var containerDown = await monitor.Smtp.WaitForAsync(
                m => m.Subject.StartsWith("[FIRING", StringComparison.Ordinal) && m.Subject.Contains("ContainerDown", StringComparison.Ordinal)
                    && m.Subject.Contains(host, StringComparison.Ordinal) && m.Text.Contains(crashed, StringComparison.Ordinal),
                TimeSpan.FromMinutes(3), $"ContainerDown for {crashed}");
            TestReport.Write($"deploy: ContainerDown email {exitedAt.Elapsed.TotalSeconds:F0} s after the container exited with 1");
            Assert.Contains("ops@monitor.test", string.Join(",", containerDown.To));

            await monitor.Prometheus.WaitForAsync($"host:agent_present:group{{host=\"{host}\"}}", TimeSpan.FromSeconds(90));
            await AssertDashboardHasDataAsync(monitor, host, sleeper);

            // kill -9: no stale markers, no goodbye; only the silence tells.
            var killedAt = Stopwatch.StartNew();
            await first.KillAsync();
            var nodeDown = await monitor.Smtp.WaitForAsync(
                m => m.Subject.StartsWith("[FIRING", StringComparison.Ordinal) && m.Subject.Contains("NodeDown", StringComparison.Ordinal)
                    && m.Subject.Contains(host, StringComparison.Ordinal),
                TimeSpan.FromMinutes(3), $"NodeDown for {host}");
            var downDelay = killedAt.Elapsed;
            TestReport.Write($"deploy: NodeDown email {downDelay.TotalSeconds:F0} s after kill -9 of the agent (target < 180 s)");
            Assert.True(downDelay < TimeSpan.FromMinutes(3));

            await using var second = AgentProcess.Start(["run", "--config", config], environment);
            var restartedAt = Stopwatch.StartNew();
            await monitor.Smtp.WaitForAsync(
                m => m.Subject.StartsWith("[RESOLVED]", StringComparison.Ordinal) && m.Subject.Contains("NodeDown", StringComparison.Ordinal)
                    && m.Subject.Contains(host, StringComparison.Ordinal),
                TimeSpan.FromMinutes(4), $"NodeDown resolved for {host}");
            TestReport.Write($"deploy: NodeDown resolved email {restartedAt.Elapsed.TotalSeconds:F0} s after the agent started again (Alertmanager group_interval 2m)");
            Assert.Equal(0, await second.TerminateAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains(nodeDown.Subject, monitor.Smtp.Mails.Select(m => m.Subject));
        }
        finally
        {
            await DockerEngine.RunAsync(["rm", "-f", crashed, sleeper], TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Every dashboard query runs; the fleet, resource, container, log and health panels show this node.</summary>
    private static async Task AssertDashboardHasDataAsync(MonitorStack monitor, string host, string runningContainer)
    {
        await monitor.Prometheus.WaitForAsync(
            $"container_memory_working_set_bytes{{host=\"{host}\",name=\"{runningContainer}\"}}", TimeSpan.FromSeconds(60));
        await monitor.Prometheus.WaitForAsync(
            $"count_over_time(node_cpu_seconds_total{{host=\"{host}\",mode=\"idle\"}}[2m]) >= 3", TimeSpan.FromSeconds(60));
        using var doc = JsonDocument.Parse(File.ReadAllText(FleetDashboard.File));
        var empty = new List<string>();
        foreach (var (uid, raw) in FleetDashboard.Targets(doc.RootElement))
        {
            var expr = FleetDashboard.Interpolate(raw, host);
            var series = uid == "loki"
                ? await WaitForLokiAsync(monitor, expr)
                : (await monitor.Prometheus.QueryAsync(expr)).Count;
            if (series == 0) empty.Add(raw);
        }
        // Without drops or refusals there is nothing to plot in those panels; the rest must have data.
        string[] quietWhenHealthy =
        [
            "rate(agent_remote_write_samples_dropped_total",
            "rate(agent_loki_entries_dropped_total",
        ];
        var unexpected = empty.Where(e => !quietWhenHealthy.Any(q => e.Contains(q, StringComparison.Ordinal))).ToList();
        Assert.True(unexpected.Count == 0, "dashboard queries without data:\n" + string.Join("\n", unexpected));
    }

    private static async Task<int> WaitForLokiAsync(MonitorStack monitor, string logql)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var count = await monitor.LokiSeriesCountAsync(logql);
            if (count > 0 || DateTime.UtcNow > deadline) return count;
            await Task.Delay(1000);
        }
    }

    /// <summary>What a node's /etc/agent/agent.env holds, pointed at the test's monitor.</summary>
    private Dictionary<string, string> AgentEnvironment(MonitorStack monitor, string host) => new()
    {
        ["REMOTE_WRITE_URL"] = monitor.Prometheus.WriteUrl,
        ["LOKI_URL"] = monitor.LokiPushUrl,
        ["AGENT_HOSTNAME"] = host,
        ["AGENT_ENVIRONMENT"] = "production",
        ["AGENT_HTTP_LISTEN"] = $"127.0.0.1:{FreePort.Next()}",
    };

    /// <summary>
    /// packaging/deb/agent.toml as an admin who opted into Docker edits it: containers on, its
    /// own data directory and log file instead of /var/lib/agent and /var/log.
    /// </summary>
    private string PackagedConfigWithContainers(string log)
    {
        var text = File.ReadAllText(Repository.Path("packaging", "deb", "agent.toml"));
        text = Replace(text, "data_dir = \"/var/lib/agent\"", $"data_dir = \"{_dir}/data\"");
        text = Replace(text, "paths = [\"/var/log/*.log\", \"/var/log/syslog\", \"/var/log/messages\"]", $"paths = [\"{log}\"]");
        text = Replace(text, "\nenabled = false\n\n[logs.docker]\nenabled = false\n", "\nenabled = true\n\n[logs.docker]\nenabled = false\n");
        var path = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(path, text);
        return path;
    }

    private static string Replace(string text, string from, string to)
    {
        Assert.Contains(from, text);
        return text.Replace(from, to, StringComparison.Ordinal);
    }
}
