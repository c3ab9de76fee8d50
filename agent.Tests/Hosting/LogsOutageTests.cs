using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Hosting;

/// <summary>
/// Issue 13's logs proof with the real binary and stock Loki: Loki is down while app.log is
/// renamed away three times (app.log.1 … app.log.3, the glob matching only app.log) and the agent
/// is killed with -9 twice; once Loki is up every line is there.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class LogsOutageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-logs-outage-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Log => Path.Combine(_dir, "app.log");

    private void Append(int from, int count) =>
        File.AppendAllLines(Log, Enumerable.Range(from, count).Select(i => $"o-{i:D5} outage line"));

    /// <summary>logrotate's rename scheme: app.log.N → N+1, app.log → app.log.1, a new empty app.log.</summary>
    private void Rotate(int kept)
    {
        for (var n = kept; n >= 1; n--) File.Move($"{Log}.{n}", $"{Log}.{n + 1}");
        File.Move(Log, Log + ".1");
        File.WriteAllText(Log, "");
    }

    [Fact]
    public async Task Rotations_and_kill_9_restarts_while_loki_is_down_lose_nothing()
    {
        var lokiPort = FreePort.Next();
        File.WriteAllText(Log, "");
        var config = QuietAgentConfig.Write(Path.Combine(_dir, "agent"), "outage", $"""
            [logs]
            read_from = "beginning"
            [[logs.files]]
            paths = ["{Log}"]
            [[loki]]
            url = "http://127.0.0.1:{lokiPort}/loki/api/v1/push"
            batch_wait = "100ms"
            max_backoff = "1s"
            """);
        const int PerPhase = 100, Phases = 4;
        for (var phase = 0; phase < Phases - 1; phase++)
        {
            await using var agent = AgentProcess.Start(["run", "--config", config]);
            Append(phase * PerPhase, PerPhase);
            // Long enough for the agent to open the new file and save that it knows it (positions
            // are written within a second): a file never seen by any run cannot be found again.
            await Task.Delay(2500);
            Rotate(phase);
            await Task.Delay(2500);
            Assert.False(agent.HasExited, agent.Output);
            if (phase < Phases - 2) await agent.KillAsync();
            else Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(20)));
        }
        await using var last = AgentProcess.Start(["run", "--config", config]);
        Append((Phases - 1) * PerPhase, PerPhase);
        await using var loki = await LokiServer.StartAsync(httpPort: lokiPort);
        const int Total = Phases * PerPhase;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        List<string> lines;
        while ((lines = await loki.QueryLinesAsync("{job=\"file\"}")).Distinct().Count() < Total && DateTime.UtcNow < deadline) await Task.Delay(500);
        Assert.Equal(0, await last.TerminateAsync(TimeSpan.FromSeconds(20)));
        var missing = Enumerable.Range(0, Total).Select(i => $"o-{i:D5} outage line").Except(lines).ToList();
        var duplicates = lines.Count - lines.Distinct().Count();
        TestReport.Write($"logs outage: {Phases - 1} rotations, 2 kill -9 and 1 SIGTERM while Loki was down: {Total} lines, missing {missing.Count}, duplicates {duplicates}");
        Assert.True(missing.Count == 0, $"missing {missing.Count}, first {missing.FirstOrDefault()}\n{last.Output}");
        // Nothing was acknowledged before Loki came up, so no run had anything to send twice.
        Assert.Equal(0, duplicates);
    }
}
