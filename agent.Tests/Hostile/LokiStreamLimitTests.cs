using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Hostile;

/// <summary>
/// Stock Loki with a stream limit: files whose streams it refuses do not stall the files it
/// accepts, and re-sending the accepted part of a refused push leaves each line stored once.
/// </summary>
public sealed class LokiStreamLimitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-loki-limit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Files_over_the_stream_limit_are_reported_and_the_others_ship_each_line_once()
    {
        await using var loki = await LokiServer.StartAsync("max_global_streams_per_user: 2");
        var logs = Directory.CreateDirectory(Path.Combine(_dir, "logs")).FullName;
        File.WriteAllText(Path.Combine(logs, "a.log"), "a 1\n");
        File.WriteAllText(Path.Combine(logs, "b.log"), "b 1\n");
        var config = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(config, $"""
            [agent]
            data_dir = "{_dir}/data"
            shutdown_timeout = "2s"
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
            [logs]
            read_from = "beginning"
            [[logs.files]]
            paths = ["{logs}/*.log"]
            labels = {"{"} job = "limit" {"}"}
            [[loki]]
            url = "{loki.PushUrl}"
            batch_wait = "500ms"
            min_backoff = "100ms"
            """);
        await using var agent = AgentProcess.Start(["run", "--config", config]);
        await WaitForAsync(loki, "{job=\"limit\"}", 2);

        // In one batch with the refused streams' lines, so the push Loki half-accepts holds them
        // and they are sent again when the push is split.
        File.AppendAllText(Path.Combine(logs, "a.log"), "a 2\n");
        for (var i = 0; i < 6; i++) File.WriteAllText(Path.Combine(logs, $"new-{i}.log"), $"new {i}\n");
        File.AppendAllText(Path.Combine(logs, "b.log"), "b 2\n");
        var lines = await WaitForAsync(loki, "{job=\"limit\"}", 4);

        Assert.Equal(["a 1", "a 2", "b 1", "b 2"], lines.Order());
        Assert.Contains("stream limit refuses new streams", agent.Output);
        await HostileChecks.StopsAsync(agent, TimeSpan.FromSeconds(2));
    }

    private static async Task<List<string>> WaitForAsync(LokiServer loki, string selector, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var lines = await loki.QueryLinesAsync(selector);
            if (lines.Count >= count || DateTime.UtcNow > deadline)
            {
                // A moment more, so that a duplicate arriving late is seen.
                await Task.Delay(1500);
                return await loki.QueryLinesAsync(selector);
            }
            await Task.Delay(250);
        }
    }
}
