using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Logs.Docker;

/// <summary>
/// The real agent binary following a container that keeps printing, killed (-9) and stopped
/// (SIGTERM) mid-stream and started again on the same data_dir: every line arrives, and
/// duplicates stay within one batch per kill.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class DockerLogRestartTests : IDisposable
{
    private const int Lines = 2000;
    private const int Kills = 5;
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-dlog-restart-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Kill_9_and_sigterm_restarts_lose_no_container_line()
    {
        await DockerEngine.RequireAsync();
        // A line sent again after a kill carries its Docker timestamp, older than the stream's last
        // accepted entry: Loki takes it (and drops it as an exact duplicate); counting it is the point here.
        await using var receiver = new LokiReceiver { AcceptOutOfOrder = true };
        var config = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(config, $"""
            [agent]
            interval = "1h"
            data_dir = "{_dir}/data"
            [http]
            listen = ""
            [host]
            enabled = false
            [process]
            enabled = false
            [containers]
            enabled = false
            [[loki]]
            url = "{receiver.PushUrl}"
            batch_wait = "100ms"
            batch_size = 4096
            """);
        var name = DockerEngine.UniqueName("dlog-restart");
        try
        {
            var random = new Random(11);
            var agent = AgentProcess.Start(["run", "--config", config]);
            try
            {
                await WaitForAsync(() => agent.Stdout.Contains("docker engine", StringComparison.Ordinal), TimeSpan.FromSeconds(20), () => agent.Stdout + agent.Stderr);
                await DockerEngine.RunCheckedAsync(["run", "-d", "--init", "--name", name, DockerEngine.Image, "sh", "-c",
                    $"i=0; while [ $i -lt {Lines} ]; do i=$((i+1)); echo \"out $i\"; echo \"err $i\" >&2; sleep 0.01; done; sleep 600"]);
                for (var k = 0; k <= Kills; k++)
                {
                    await Task.Delay(random.Next(700, 2000));
                    Assert.False(agent.HasExited, agent.Stdout + agent.Stderr);
                    if (k == Kills / 2) Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(20)));
                    // Otherwise DisposeAsync is SIGKILL: no flush, no positions save.
                    await agent.DisposeAsync();
                    agent = AgentProcess.Start(["run", "--config", config]);
                }
                await WaitForAsync(() => Of(receiver, name).Select(a => a.Line).Distinct().Count() >= 2 * Lines, TimeSpan.FromSeconds(120),
                    () => $"{Of(receiver, name).Select(a => a.Line).Distinct().Count()} of {2 * Lines} lines; {agent.Stdout}{agent.Stderr}");
                Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(20)));
            }
            finally
            {
                await agent.DisposeAsync();
            }
        }
        finally
        {
            await DockerEngine.RemoveAsync(name);
        }

        var lines = Of(receiver, name);
        var distinct = lines.Select(a => a.Line).Distinct().Count();
        var missing = 2 * Lines - distinct;
        var duplicates = lines.Count - distinct;
        TestReport.Write($"docker log restart test: {Kills} kill -9 + 1 SIGTERM, {2 * Lines} lines, missing {missing}, duplicates {duplicates}");
        Assert.Empty(receiver.Rejections);
        Assert.Equal(0, missing);
        foreach (var (target, prefix) in new[] { ("stdout", "out"), ("stderr", "err") })
        {
            var numbers = lines.Where(l => l.Stream.Contains($"stream=\"{target}\"", StringComparison.Ordinal))
                .Select(l => int.Parse(l.Line[(prefix.Length + 1)..])).Distinct().ToList();
            Assert.Equal(Enumerable.Range(1, Lines), numbers);
        }
        // A 4 KiB batch holds at most ~500 of these lines; only what was unacknowledged at a kill comes again.
        Assert.True(duplicates <= Kills * 500, $"{duplicates} duplicates after {Kills} Kills");
    }

    private static List<(string Stream, long TimestampNs, string Line)> Of(LokiReceiver receiver, string container) =>
        receiver.Accepted.Where(a => a.Stream.Contains($"container=\"{container}\"", StringComparison.Ordinal)).ToList();

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not reached after {timeout}: {describe()}");
            await Task.Delay(100);
        }
    }
}
