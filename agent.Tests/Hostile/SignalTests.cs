using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Hostile;

/// <summary>Signals an operator or a terminal sends: SIGHUP must not end the agent (nor lose lines); SIGTERM must, in time.</summary>
public sealed class SignalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-signal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Sighup_logs_that_a_restart_is_needed_and_the_agent_keeps_shipping()
    {
        await using var receiver = new LokiReceiver();
        var log = Path.Combine(_dir, "app.log");
        File.WriteAllText(log, "");
        var config = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(config, $"""
            [agent]
            data_dir = "{_dir}/data"
            shutdown_timeout = "3s"
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
            [[loki]]
            url = "{receiver.PushUrl}"
            batch_wait = "100ms"
            [logs]
            read_from = "beginning"
            [[logs.files]]
            paths = ["{log}"]
            """);
        await using var agent = AgentProcess.Start(["run", "--config", config]);
        File.AppendAllText(log, "before hangup\n");
        await receiver.WaitForLinesAsync(1, TimeSpan.FromSeconds(30));

        await agent.SignalAsync("HUP");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!agent.Output.Contains("SIGHUP received", StringComparison.Ordinal) && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Contains("restart the agent to apply changes", agent.Output);
        Assert.False(agent.HasExited, $"SIGHUP ended the agent:\n{agent.Output}");

        File.AppendAllText(log, "after hangup\n");
        var lines = await receiver.WaitForLinesAsync(2, TimeSpan.FromSeconds(30));
        Assert.Equal(["before hangup", "after hangup"], lines);
        await HostileChecks.StopsAsync(agent, TimeSpan.FromSeconds(3));
    }
}
