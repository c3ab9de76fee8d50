using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Exporters.Loki;

/// <summary>
/// Loki as a monitor that outgrew one machine becomes it: a multi-tenant server, and a cluster of
/// separate processes. Tenants stay apart, and a write node restarted while the agent ships loses
/// nothing (the agent retries until the node is back; positions move only on acknowledgement).
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class LokiClusterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-loki-tenants-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Agent(string name, string pushUrl, string tenant, string logFile) =>
        QuietAgentConfig.Write(Path.Combine(_dir, name), name, $"""
            [[loki]]
            url = "{pushUrl}"
            {(tenant.Length > 0 ? $"tenant_id = \"{tenant}\"" : "")}
            batch_wait = "100ms"
            min_backoff = "100ms"
            max_backoff = "1s"

            [[logs.files]]
            paths = ["{logFile}"]
            read_from = "beginning"
            labels = {"{"} job = "tenants" {"}"}
            """);

    [Fact]
    public async Task Two_agents_with_different_tenant_ids_each_see_only_their_own_streams()
    {
        await using var loki = await LokiServer.StartAsync(multiTenant: true);
        var logA = Path.Combine(_dir, "a.log");
        var logB = Path.Combine(_dir, "b.log");
        File.WriteAllLines(logA, Enumerable.Range(0, 50).Select(i => $"team-a line {i}"));
        File.WriteAllLines(logB, Enumerable.Range(0, 30).Select(i => $"team-b line {i}"));
        await using var a = AgentProcess.Start(["run", "--config", Agent("agent-a", loki.PushUrl, "team-a", logA)]);
        await using var b = AgentProcess.Start(["run", "--config", Agent("agent-b", loki.PushUrl, "team-b", logB)]);

        var seenA = await WaitForLinesAsync(() => loki.QueryLinesAsync("{job=\"tenants\"}", "team-a"), 50, a.Output);
        var seenB = await WaitForLinesAsync(() => loki.QueryLinesAsync("{job=\"tenants\"}", "team-b"), 30, b.Output);
        Assert.All(seenA, l => Assert.StartsWith("team-a ", l));
        Assert.All(seenB, l => Assert.StartsWith("team-b ", l));
        Assert.Equal(50, seenA.Count);
        Assert.Equal(30, seenB.Count);
        // A third tenant sees nothing, and a query without a tenant is refused, as Loki promises.
        Assert.Empty(await loki.QueryLinesAsync("{job=\"tenants\"}", "team-c"));
        await Assert.ThrowsAsync<HttpRequestException>(() => loki.QueryLinesAsync("{job=\"tenants\"}"));
    }

    [Fact]
    public async Task Every_line_arrives_at_a_distributed_loki_through_a_restart_of_its_write_node()
    {
        await using var cluster = await LokiCluster.StartAsync();
        var log = Path.Combine(_dir, "shipping.log");
        const int Total = 900;
        await using var writer = new StreamWriter(log) { AutoFlush = true };
        for (var i = 0; i < 300; i++) await writer.WriteLineAsync($"cluster line {i:D4}");
        await using var agent = AgentProcess.Start(["run", "--config", Agent("agent-cluster", cluster.PushUrl, "", log)]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Task<List<string>> Query() => LokiServer.QueryLinesAsync(http, cluster.ReadUrl, "{job=\"tenants\"}");
        await WaitForLinesAsync(Query, 300, agent.Output);

        // Lines keep coming while the write node goes down, stays down and comes back.
        var restart = cluster.RestartWriteAsync(TimeSpan.FromSeconds(3));
        for (var i = 300; i < 600; i++)
        {
            await writer.WriteLineAsync($"cluster line {i:D4}");
            await Task.Delay(10);
        }
        await restart;
        for (var i = 600; i < Total; i++) await writer.WriteLineAsync($"cluster line {i:D4}");

        var lines = await WaitForLinesAsync(Query, Total, agent.Output + cluster.Output);
        var expected = Enumerable.Range(0, Total).Select(i => $"cluster line {i:D4}").ToList();
        Assert.Equal(expected, lines.Distinct().Order(StringComparer.Ordinal).ToList());
        Assert.Contains("retrying", agent.Output);
    }

    private static async Task<List<string>> WaitForLinesAsync(Func<Task<List<string>>> query, int count, string context)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        var lines = new List<string>();
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                lines = await query();
                if (lines.Distinct().Count() >= count) return lines;
            }
            catch (HttpRequestException) { }
            await Task.Delay(500);
        }
        throw new TimeoutException($"{lines.Distinct().Count()} of {count} lines after 90 s\n{context}");
    }
}
