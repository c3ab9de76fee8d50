using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Containers;

/// <summary>
/// The shipped ContainerDown rule (packaging/monitor/containers.rules.yml) in a stock Prometheus
/// fed by the real agent: it fires for a container that exits non-zero and for an OOM-killed
/// one, stays quiet for a running container and one that exited 0, and ends when the container is removed.
/// </summary>
public sealed class ContainerDownAlertTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-containerdown-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ContainerDown_fires_for_a_non_zero_exit_and_an_oom_kill_only()
    {
        await DockerEngine.RequireAsync();
        var rules = Repository.Path("packaging", "monitor", "containers.rules.yml");
        await using var prometheus = await MetricsBackend.StartPrometheusAsync(rules);
        var crashed = DockerEngine.UniqueName("down-exit3");
        var oom = DockerEngine.UniqueName("down-oom");
        var fine = DockerEngine.UniqueName("down-exit0");
        var running = DockerEngine.UniqueName("down-running");
        var config = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(config, $"""
            [agent]
            hostname = "alert-host"
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
        try
        {
            await DockerEngine.RunCheckedAsync(["run", "-d", "--name", running, DockerEngine.Image, "sleep", "600"]);
            await DockerEngine.RunCheckedAsync(["run", "-d", "--name", fine, DockerEngine.Image, "true"]);
            await DockerEngine.RunCheckedAsync(["run", "-d", "--name", crashed, DockerEngine.Image, "sh", "-c", "sleep 2; exit 3"]);
            await DockerEngine.RunCheckedAsync(["run", "-d", "--name", oom, "--memory", "16m", "--memory-swap", "16m", DockerEngine.Image,
                "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]);

            var firing = await prometheus.WaitForAsync(
                $"ALERTS{{alertname=\"ContainerDown\",alertstate=\"firing\",host=\"alert-host\",name=~\"{crashed}|{oom}\"}}",
                TimeSpan.FromSeconds(60), minResults: 2);
            Assert.Equal(2, firing.Count);
            Assert.All(firing, a => Assert.Equal("cadvisor", a.Labels["job"]));

            var exitCode = await prometheus.WaitForAsync($"container_last_exit_code{{name=\"{crashed}\"}}", TimeSpan.FromSeconds(10));
            Assert.Equal(3, exitCode.Single().Value);
            var state = await prometheus.WaitForAsync($"container_state{{name=\"{running}\",state=\"running\"}}", TimeSpan.FromSeconds(10));
            Assert.Equal(1, state.Single().Value);
            var exited0 = await prometheus.WaitForAsync($"container_state{{name=\"{fine}\",state=\"exited\"}} == 1", TimeSpan.FromSeconds(10));
            Assert.Single(exited0);

            var quiet = await prometheus.QueryAsync($"ALERTS{{alertname=\"ContainerDown\",name=~\"{fine}|{running}\"}}");
            Assert.Empty(quiet);

            // Removing the container ends its series at once (stale markers), not after Prometheus' 5-minute lookback.
            await DockerEngine.RemoveAsync(crashed);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await prometheus.QueryAsync($"container_last_exit_code{{name=\"{crashed}\"}}")).Count > 0)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{crashed}'s series still present 30 s after docker rm");
                await Task.Delay(500);
            }
        }
        finally
        {
            await DockerEngine.RemoveAsync(crashed, oom, fine, running);
        }
        var exit = await agent.TerminateAsync(TimeSpan.FromSeconds(20));
        Assert.True(exit == 0, $"exit {exit}\n{agent.Stdout}\n{agent.Stderr}");
        Assert.DoesNotContain("HTTP 4", agent.Stdout + agent.Stderr);
    }
}
