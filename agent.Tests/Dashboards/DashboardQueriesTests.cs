using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Dashboards;

/// <summary>
/// The dashboards users already have, against a stock Prometheus that both receives the real
/// agent's remote-write and scrapes Debian's node_exporter and process-exporter on the same
/// host: every query of dashboards 1860 (Node Exporter Full) and 249 (Named processes) that
/// returns data for the reference exporter returns data for the agent too; and every query of
/// dockprom's cAdvisor dashboard over names the agent emits has data for each running test
/// container (no cAdvisor binary here to compare with). The queries are checked in under
/// fixtures/dashboards; each side's series are selected by its own job and instance.
/// </summary>
public sealed class DashboardQueriesTests(ITestOutputHelper output) : IDisposable
{
    private const string Host = "dash-agent";

    /// <summary>
    /// Grafana's built-ins for a "Last 5 minutes" dashboard on a Prometheus data source whose
    /// scrape interval is set to 1 s (what both sides use here): $__interval is the range over
    /// the panel's width floored at that interval (1 s), $__rate_interval is
    /// max($__interval + scrape interval, 4 × scrape interval) = 4 s, $__range the range.
    /// </summary>
    private static readonly TimeSpan Range = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(1);
    private static readonly Dictionary<string, string> Builtins = new()
    {
        ["__interval"] = "1s", ["__rate_interval"] = "4s", ["__range"] = "5m", ["__range_s"] = "300",
    };

    /// <summary>Queries with data for the reference but not for the agent, with why (a listed query that gains data fails the test, so the list stays true).</summary>
    private static readonly Dictionary<string, string> NotForTheAgent = new(StringComparer.Ordinal);

    /// <summary>cAdvisor-dashboard queries over names the agent emits that have no data here, with why.</summary>
    private static readonly Dictionary<string, string> NoContainerData = new(StringComparer.Ordinal)
    {
        ["Storage Load [A]"] = "node_filesystem_*{fstype=\"aufs\"}: Docker's pre-overlay2 storage driver; no aufs mount on this host, node_exporter has none either",
    };

    private readonly string _dir = Directory.CreateTempSubdirectory("agent-dashboards-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Dashboard_queries_that_have_data_for_the_reference_have_data_for_the_agent()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the reference exporters and the collectors are Linux-only");
        var nodeExporter = ServerBinary.Require("prometheus-node-exporter");
        var processExporter = ServerBinary.Require("prometheus-process-exporter");
        await DockerEngine.RequireAsync();

        var nodePort = FreePort.Next();
        await using var node = ServerProcess.Start(nodeExporter, [$"--web.listen-address=127.0.0.1:{nodePort}"]);
        var processConfig = Path.Combine(_dir, "process-exporter.yml");
        File.WriteAllText(processConfig, "process_names:\n  - name: \"{{.Comm}}\"\n    cmdline:\n    - '.+'\n");
        var processPort = FreePort.Next();
        await using var process = ServerProcess.Start(processExporter, [$"-config.path={processConfig}", $"-web.listen-address=127.0.0.1:{processPort}"]);
        await node.WaitReadyAsync($"http://127.0.0.1:{nodePort}/metrics", TimeSpan.FromSeconds(30));
        await process.WaitReadyAsync($"http://127.0.0.1:{processPort}/metrics", TimeSpan.FromSeconds(30));

        await using var prometheus = await MetricsBackend.StartPrometheusAsync(scrapeConfigs: $"""
              - job_name: ref-node
                scrape_interval: 1s
                scrape_timeout: 1s
                static_configs:
                  - targets: ['127.0.0.1:{nodePort}']
              - job_name: ref-process
                scrape_interval: 1s
                scrape_timeout: 1s
                static_configs:
                  - targets: ['127.0.0.1:{processPort}']

            """);

        string[] containers = [DockerEngine.UniqueName("dash-a"), DockerEngine.UniqueName("dash-b")];
        try
        {
            foreach (var name in containers)
            {
                await DockerEngine.RunCheckedAsync(["run", "-d", "--init", "--name", name, DockerEngine.Image, "sh", "-c", "echo hello > /tmp/x; sleep 600"]);
            }
            var config = Path.Combine(_dir, "agent.toml");
            File.WriteAllText(config, $"""
                [agent]
                hostname = "{Host}"
                interval = "1s"
                data_dir = "{_dir}/data"
                [http]
                listen = ""
                [[remote_write]]
                url = "{prometheus.WriteUrl}"
                """);
            await using var agent = AgentProcess.Start(["run", "--config", config]);

            // A few cycles on both sides, so rates over $__rate_interval have their two points.
            await prometheus.WaitForAsync($"count_over_time(node_load1{{job=\"node\",instance=\"{Host}\"}}[1m]) >= 5", TimeSpan.FromSeconds(60));
            await prometheus.WaitForAsync($"count_over_time(node_load1{{job=\"ref-node\"}}[1m]) >= 5", TimeSpan.FromSeconds(30));
            await prometheus.WaitForAsync($"count_over_time(namedprocess_namegroup_num_procs{{job=\"process\",instance=\"{Host}\"}}[1m]) >= 5", TimeSpan.FromSeconds(30));
            await prometheus.WaitForAsync("count_over_time(namedprocess_namegroup_num_procs{job=\"ref-process\"}[1m]) >= 5", TimeSpan.FromSeconds(30));
            await prometheus.WaitForAsync($"count(count_over_time(container_memory_usage_bytes{{instance=\"{Host}\",name=~\"{string.Join('|', containers)}\"}}[1m]) >= 5) == {containers.Length}", TimeSpan.FromSeconds(30));

            var problems = new List<string>();
            var node1860 = DashboardFixture.Load("node-exporter-full-1860.tsv");
            await CompareAsync(prometheus, node1860, problems,
                reference: q => PromQlText.Substitute(q, Values(("job", "ref-node"), ("node", $"127.0.0.1:{nodePort}"), ("diskdevices", "[a-z]+|nvme[0-9]+n[0-9]+|mmcblk[0-9]+"))),
                ours: q => PromQlText.Substitute(q, Values(("job", "node"), ("node", Host), ("diskdevices", "[a-z]+|nvme[0-9]+n[0-9]+|mmcblk[0-9]+"))));
            // 249 selects no job or instance (one process-exporter per Prometheus, as its author ran it): each side gets its own job.
            var named249 = DashboardFixture.Load("named-processes-249.tsv");
            var processes = Values(("interval", "10m"), ("processes", ".+"));
            await CompareAsync(prometheus, named249, problems,
                reference: q => PromQlText.AddMatcher(PromQlText.Substitute(q, processes), "job=\"ref-process\""),
                ours: q => PromQlText.AddMatcher(PromQlText.Substitute(q, processes), $"job=\"process\",instance=\"{Host}\""));
            await CheckContainersAsync(prometheus, DashboardFixture.Load("dockprom-docker-containers.tsv"), containers, problems);

            Assert.True(problems.Count == 0, string.Join("\n", problems) + $"\n{agent.Stderr}");
            Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(20)));
            Assert.DoesNotContain("HTTP 4", agent.Stdout + agent.Stderr);
        }
        finally
        {
            await DockerEngine.RemoveAsync(containers);
        }
    }

    private static Dictionary<string, string> Values(params (string Name, string Value)[] values)
    {
        var all = new Dictionary<string, string>(Builtins, StringComparer.Ordinal);
        foreach (var (name, value) in values) all[name] = value;
        return all;
    }

    private async Task CompareAsync(MetricsBackend prometheus, DashboardFixture dashboard, List<string> problems,
        Func<string, string> reference, Func<string, string> ours)
    {
        var withReference = 0;
        var withBoth = 0;
        var misses = new List<string>();
        var uncounted = new List<string>();
        foreach (var query in dashboard.Queries)
        {
            var theirs = reference(query.Expr);
            var mine = ours(query.Expr);
            if (!await HasDataAsync(prometheus, theirs))
            {
                uncounted.Add(query.Key);
                continue;
            }
            withReference++;
            var ok = await HasDataAsync(prometheus, mine);
            // One more look a few cycles later: a rate can miss its second point by a push.
            if (!ok)
            {
                await Task.Delay(TimeSpan.FromSeconds(3));
                ok = await HasDataAsync(prometheus, mine);
            }
            if (ok) withBoth++;
            var listed = NotForTheAgent.TryGetValue(query.Key, out var reason);
            if (ok && listed) problems.Add($"{dashboard.Name}: {query.Key} is listed as no data for the agent ({reason}) but has data now: take it off the list");
            else if (!ok && listed) misses.Add($"{query.Key}: {reason}");
            else if (!ok) problems.Add($"{dashboard.Name}: {query.Key} has data for the reference, none for the agent:\n  reference: {theirs}\n  agent:     {mine}");
        }
        var line = $"dashboard {dashboard.Name}: {withBoth}/{withReference} queries with data for the reference have data for the agent"
            + $" ({dashboard.Queries.Count} queries in all){(misses.Count == 0 ? "" : "; left out: " + string.Join("; ", misses))}";
        output.WriteLine(line);
        output.WriteLine($"  not counted (no data for the reference either): {string.Join("; ", uncounted)}");
        TestReport.Write(line);
    }

    private async Task CheckContainersAsync(MetricsBackend prometheus, DashboardFixture dashboard, string[] containers, List<string> problems)
    {
        var emitted = await prometheus.MetricNamesAsync($"{{instance=\"{Host}\"}}");
        var counted = 0;
        var passed = 0;
        var notCounted = new List<string>();
        foreach (var query in dashboard.Queries)
        {
            var missingNames = PromQlText.MetricNames(query.Expr).Where(n => !emitted.Contains(n)).ToList();
            if (missingNames.Count > 0)
            {
                notCounted.Add($"{query.Key} ({string.Join(", ", missingNames)})");
                continue;
            }
            counted++;
            var mine = PromQlText.AddMatcher(query.Expr, $"instance=\"{Host}\"");
            var result = await prometheus.QueryRangeAsync(mine, Range, Step);
            var perContainer = result.Any(r => r.Labels.ContainsKey("name"));
            var missing = perContainer ? containers.Where(c => !result.Any(r => r.Labels.GetValueOrDefault("name") == c)).ToList() : [];
            var ok = result.Count > 0 && missing.Count == 0;
            if (ok) passed++;
            var listed = NoContainerData.TryGetValue(query.Key, out var reason);
            if (ok && listed) problems.Add($"{dashboard.Name}: {query.Key} is listed as without data ({reason}) but has data now: take it off the list");
            else if (!ok && !listed)
            {
                problems.Add($"{dashboard.Name}: {query.Key} {(result.Count == 0 ? "has no data" : $"has no series for {string.Join(", ", missing)}")}: {mine}");
            }
        }
        var line = $"dashboard {dashboard.Name}: {passed}/{counted} queries over names the agent emits have data for each of {containers.Length} running containers"
            + $" ({dashboard.Queries.Count} queries in all; left out: {string.Join("; ", NoContainerData.Select(p => $"{p.Key}: {p.Value}").Concat(notCounted.Select(n => "not emitted: " + n)))})";
        output.WriteLine(line);
        TestReport.Write(line);
    }

    private static async Task<bool> HasDataAsync(MetricsBackend prometheus, string promql) =>
        (await prometheus.QueryRangeAsync(promql, Range, Step)).Count > 0;
}
