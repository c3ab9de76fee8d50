using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Process;

/// <summary>
/// The published path for process metrics: the agent executable, [process] on with its
/// defaults, pushing every second to a stock Prometheus, where the dashboards' "top CPU
/// group" query finds the busy loop the test keeps running.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class ProcessEndToEndTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-process-e2e-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_busy_process_is_the_top_cpu_group_in_prometheus()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the process collector is Linux-only");
        await using var prometheus = await MetricsBackend.StartPrometheusAsync();
        using var children = new ChildProcesses();
        children.StartSleepers(5);
        children.StartBusy();
        var config = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(config, $"""
            [agent]
            hostname = "e2e-process"
            interval = "1s"
            data_dir = "{_dir}/data"
            [http]
            listen = ""
            [host]
            enabled = false
            [[remote_write]]
            url = "{prometheus.WriteUrl}"
            """);
        await using var agent = AgentProcess.Start(["run", "--config", config]);

        var procs = await prometheus.WaitForAsync($"namedprocess_namegroup_num_procs{{host=\"e2e-process\",job=\"process\",groupname=\"{children.SleeperComm}\"}} == 5", TimeSpan.FromSeconds(30));
        Assert.Equal("e2e-process", procs.Single().Labels["instance"]);

        const string top = "topk(1, rate(namedprocess_namegroup_cpu_seconds_total{host=\"e2e-process\"}[1m]))";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        List<(Dictionary<string, string> Labels, double Value)> result;
        while (true)
        {
            result = await prometheus.QueryAsync(top);
            if (result.Count == 1 && result[0].Labels["groupname"] == children.BusyComm && result[0].Value > 0.3) break;
            Assert.True(DateTime.UtcNow < deadline, $"top CPU group: {string.Join(", ", result.Select(r => $"{r.Labels.GetValueOrDefault("groupname")}={r.Value:F2}"))}, expected {children.BusyComm}\n{agent.Stderr}");
            await Task.Delay(1000);
        }
        Assert.Equal("user", result[0].Labels["mode"]);
        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(20)));
        Assert.DoesNotContain("HTTP 4", agent.Stderr + agent.Stdout);
    }
}
