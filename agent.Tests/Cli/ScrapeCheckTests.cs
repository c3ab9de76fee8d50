using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Cli;

public sealed class ScrapeCheckTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-cli-scrape-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Check_lists_each_target_with_status_samples_and_duration()
    {
        await using var good = new TargetServer { Text = "a 1\nb{x=\"y\"} 2\n" };
        await using var broken = new TargetServer { Text = "a 1\na 2\n" };
        var refused = $"127.0.0.1:{FreePort.Next()}";
        var path = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(path, $"""
            [agent]
            data_dir = "{_dir}/data"
            [host]
            enabled = false
            [process]
            enabled = false
            [containers]
            enabled = false
            [logs.docker]
            enabled = false
            [[scrape]]
            job_name = "apps"
            targets = ["{good.Address}", "{broken.Address}", "{refused}"]
            """);
        var (code, stdout, _) = await AgentProcess.RunAsync(["check", "--config", path]);
        Assert.Equal(1, code);
        Assert.Matches($@"PASS  scrape apps +http://{good.Address}/metrics: HTTP 200, 2 samples in \d+ ms", stdout);
        Assert.Matches($@"FAIL  scrape apps +http://{broken.Address}/metrics: HTTP 200 after \d+ ms: line 2: duplicate series a", stdout);
        Assert.Matches($@"FAIL  scrape apps +http://{refused}/metrics: no response after \d+ ms: .*refused", stdout);
        Assert.Contains("WARN  scrape", stdout);
    }
}
