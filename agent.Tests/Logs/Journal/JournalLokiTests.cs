using System.Text;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Logs.Journal;

/// <summary>The real agent ships a journal written by systemd-journal-remote to stock Loki, queryable by unit and level.</summary>
public sealed class JournalLokiTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-journal-loki-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Stock_Loki_stores_the_entries_under_their_unit_and_level_labels()
    {
        JournalRemote.Binary();
        await using var loki = await LokiServer.StartAsync();
        var journal = Path.Combine(_dir, "journal");
        Directory.CreateDirectory(journal);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 - 60_000_000;
        var entries = new List<JournalExportEntry>();
        for (var i = 0; i < 30; i++)
        {
            var unit = i % 2 == 0 ? "ssh.service" : "app.service";
            var priority = i % 3 == 0 ? "3" : "6";
            var message = i % 5 == 0 ? $"entry {i:D2} first\nsecond line" : $"entry {i:D2} from {unit}";
            entries.Add(new JournalExportEntry(now + i * 1000, 1_000_000 + i,
                [("_SYSTEMD_UNIT", Encoding.ASCII.GetBytes(unit)), ("PRIORITY", Encoding.ASCII.GetBytes(priority)),
                 ("_TRANSPORT", "stdout"u8.ToArray()), ("SYSLOG_IDENTIFIER", "app"u8.ToArray()),
                 ("MESSAGE", i == 7 ? [.. "entry 07 bytes "u8.ToArray(), 0xff] : Encoding.UTF8.GetBytes(message))]));
        }
        await JournalRemote.WriteAsync(Path.Combine(journal, "remote.journal"), entries);
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
            url = "{loki.PushUrl}"
            batch_wait = "100ms"
            [logs.docker]
            enabled = false
            [logs.journal]
            enabled = true
            path = "{journal}"
            read_from = "beginning"
            """);
        await using var agent = AgentProcess.Start(["run", "--config", config]);
        List<string> errors = [], all = [];
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            all = await loki.QueryLinesAsync("{job=\"journal\"}");
            if (all.Count >= 30) break;
            await Task.Delay(500);
        }
        Assert.True(all.Count == 30, $"{all.Count} of 30 entries in Loki; agent: {agent.Output}");
        errors = await loki.QueryLinesAsync("{unit=\"ssh.service\", level=\"error\"}");
        // i = 0, 6, 12, 18, 24: even (ssh) and a multiple of 3 (PRIORITY=3).
        Assert.Equal(["entry 00 first\nsecond line", "entry 06 from ssh.service", "entry 12 from ssh.service", "entry 18 from ssh.service", "entry 24 from ssh.service"], errors);
        Assert.Equal(10, (await loki.QueryLinesAsync("{unit=\"app.service\", level=\"info\", transport=\"stdout\", syslog_identifier=\"app\"}")).Count);
        Assert.Contains("entry 07 bytes \uFFFD", all);
        Assert.Equal(0, await agent.TerminateAsync(TimeSpan.FromSeconds(20)));
    }
}
