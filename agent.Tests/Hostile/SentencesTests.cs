using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Hostile;

/// <summary>
/// Every way an endpoint can fail (refused, no such host, TLS to a plain-HTTP port, 5xx), through
/// `check` and `run` of the real binary: each line is a sentence, never a .NET resource key.
/// </summary>
public sealed class SentencesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-sentences-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Endpoint_failures_are_reported_in_sentences()
    {
        await using var plain = new LokiReceiver();
        plain.FailFor(TimeSpan.FromMinutes(5));
        var plainPort = new Uri(plain.PushUrl).Port;
        var closed = FreePort.Next();
        var config = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(config, $"""
            [agent]
            data_dir = "{_dir}/data"
            interval = "1s"
            shutdown_timeout = "1s"
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
            url = "https://127.0.0.1:{plainPort}/api/v1/write"
            min_backoff = "10ms"
            [[remote_write]]
            url = "http://127.0.0.1:{closed}/api/v1/write"
            min_backoff = "10ms"
            [[remote_write]]
            url = "http://agent-no-such-host.invalid/api/v1/write"
            min_backoff = "10ms"
            [[remote_write]]
            url = "{plain.PushUrl}"
            min_backoff = "10ms"
            """);

        var check = await AgentProcess.RunAsync(["check", "--config", config]);
        Assert.Equal(1, check.ExitCode);
        Assert.Contains("TLS", check.Stdout);
        Assert.Contains("cannot connect", check.Stdout);
        Assert.Contains("host name not found", check.Stdout);
        HostileChecks.Sentences(check.Stdout + check.Stderr);

        await using var agent = AgentProcess.Start(["run", "--config", config]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (agent.Output.Split('\n').Count(l => l.Contains("retrying", StringComparison.Ordinal)) < 4 && DateTime.UtcNow < deadline) await Task.Delay(100);
        await HostileChecks.StopsAsync(agent, TimeSpan.FromSeconds(1));
        Assert.Contains("TLS", agent.Output);
        Assert.Matches(@"HTTP (500|429)", agent.Output);
    }
}
