using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Hosting;

/// <summary>
/// kill -9 the real agent 20 times while a writer keeps appending: after the last restart every
/// line is in the receiver, and duplicates stay within one batch per kill.
/// </summary>
public sealed class AgentCrashTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-crash-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Twenty_kill_9_restarts_lose_nothing()
    {
        await using var receiver = new LokiReceiver();
        var log = Path.Combine(_dir, "app.log");
        File.WriteAllText(log, "");
        var config = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(config, $"""
            [agent]
            interval = "1h"
            data_dir = "{_dir}/data"
            [http]
            listen = ""
            [host]
            enabled = false
            [[loki]]
            url = "{receiver.PushUrl}"
            batch_wait = "100ms"
            batch_size = 16384
            [logs]
            read_from = "beginning"
            [logs.docker]
            enabled = false
            [[logs.files]]
            paths = ["{log}"]
            """);
        using var stop = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            await using var stream = new FileStream(log, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            while (!stop.IsCancellationRequested)
            {
                var batch = new System.Text.StringBuilder();
                for (var i = 0; i < 20; i++) batch.Append($"c-{written++:D7} crash test line\n");
                await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(batch.ToString()));
                await stream.FlushAsync();
                await Task.Delay(10);
            }
        });

        var random = new Random(7);
        const int kills = 20;
        for (var k = 0; k < kills; k++)
        {
            await using var agent = AgentProcess.Start(["run", "--config", config]);
            await Task.Delay(random.Next(300, 1500));
            Assert.False(agent.HasExited, agent.Stdout + agent.Stderr);
            // DisposeAsync is SIGKILL: no flush, no positions save.
        }
        await using (var last = AgentProcess.Start(["run", "--config", config]))
        {
            await Task.Delay(500);
            stop.Cancel();
            await writer;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (receiver.Accepted.Select(a => a.Line).Distinct().Count() < written && DateTime.UtcNow < deadline) await Task.Delay(100);
            Assert.Equal(0, await last.TerminateAsync(TimeSpan.FromSeconds(20)));
        }

        var lines = receiver.Accepted.Select(a => a.Line).ToList();
        var distinct = lines.Distinct().Count();
        var missing = written - distinct;
        var duplicates = lines.Count - distinct;
        TestReport.Write($"crash test: {kills} kills, {written} lines, missing {missing}, duplicates {duplicates}");
        Assert.Equal(0, missing);
        // A batch holds at most 16 KiB here: ~600 of these 27-byte lines.
        Assert.True(duplicates <= kills * 600, $"{duplicates} duplicates after {kills} kills");
    }
}
