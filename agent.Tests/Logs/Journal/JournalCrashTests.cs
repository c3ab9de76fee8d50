using System.Text;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Logs.Journal;

/// <summary>
/// The real agent follows a journal directory that systemd-journal-remote keeps appending to
/// (several units and priorities, multi-line and binary messages, invalid UTF-8, a rotation
/// every few kills) and is killed with SIGKILL ten times: every entry reaches the receiver,
/// duplicates stay within one batch per kill, and a clean restart sends none again.
/// </summary>
public sealed class JournalCrashTests : IDisposable
{
    private const int BatchBytes = 16384;
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-journal-crash-").FullName;
    private long _monotonic = 1_000_000;
    private long _realtime;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string JournalDir => Path.Combine(_dir, "journal");

    /// <summary>Entry <paramref name="i"/>: its number first, so that every shape of it can be told apart after the trip.</summary>
    private JournalExportEntry Entry(int i)
    {
        // Now, and never equal to the entry before: each entry is one Loki would store.
        var realtime = _realtime = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000, _realtime + 1);
        var fields = new List<(string, byte[])>
        {
            ("_SYSTEMD_UNIT", Encoding.ASCII.GetBytes($"unit{i % 3}.service")),
            ("SYSLOG_IDENTIFIER", Encoding.ASCII.GetBytes($"app{i % 3}")),
            ("_TRANSPORT", "stdout"u8.ToArray()),
            ("PRIORITY", Encoding.ASCII.GetBytes($"{i % 8}")),
            ("MESSAGE", (i % 4) switch
            {
                0 => Encoding.UTF8.GetBytes($"entry {i:D6} first line\n  at Frame.One()\n  at Frame.Two()"),
                1 => [.. Encoding.ASCII.GetBytes($"entry {i:D6} raw "), 0xff, 0xfe, 0x00, 0x01, (byte)' ', 0xc3],
                _ => Encoding.UTF8.GetBytes($"entry {i:D6} plain line ünïcödé"),
            }),
        };
        return new JournalExportEntry(realtime, Interlocked.Increment(ref _monotonic), fields, BinaryMessage: i % 4 == 1);
    }

    private static int Number(string line) => int.Parse(line.AsSpan(6, 6));

    [Fact]
    public async Task Ten_kill_9_restarts_lose_no_entry_and_a_clean_restart_repeats_none()
    {
        Directory.CreateDirectory(JournalDir);
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
            [[loki]]
            url = "{receiver.PushUrl}"
            batch_wait = "100ms"
            batch_size = {BatchBytes}
            [logs.docker]
            enabled = false
            [logs.journal]
            enabled = true
            path = "{JournalDir}"
            read_from = "beginning"
            max_age = "1h"
            """);

        var active = Path.Combine(JournalDir, "remote.journal");
        using var stop = new CancellationTokenSource();
        var written = 0;
        var rotations = 0;
        var rotate = 0;
        var writer = Task.Run(async () =>
        {
            var remote = JournalRemote.Start(active);
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var burst = new List<JournalExportEntry>();
                    for (var i = 0; i < 10; i++) burst.Add(Entry(written++));
                    await remote.AppendAsync(burst);
                    if (Interlocked.Exchange(ref rotate, 0) == 1)
                    {
                        // As journald rotates: the file is archived under a new name and a new one begins.
                        await remote.FinishAsync();
                        await remote.DisposeAsync();
                        File.Move(active, Path.Combine(JournalDir, $"remote@{rotations:x32}-{rotations:x16}-{rotations:x16}.journal"));
                        rotations++;
                        remote = JournalRemote.Start(active);
                    }
                    await Task.Delay(20);
                }
                await remote.FinishAsync();
            }
            finally
            {
                await remote.DisposeAsync();
            }
        });

        var random = new Random(16);
        const int kills = 10;
        for (var k = 0; k < kills; k++)
        {
            await using var agent = AgentProcess.Start(["run", "--config", config]);
            await Task.Delay(random.Next(500, 1500));
            Assert.False(agent.HasExited, agent.Output);
            if (k % 3 == 2) Volatile.Write(ref rotate, 1);
            // DisposeAsync is SIGKILL: no flush, no positions save.
        }
        await using (var last = AgentProcess.Start(["run", "--config", config]))
        {
            await Task.Delay(500);
            stop.Cancel();
            await writer;
            await WaitForAllAsync(receiver, written);
            Assert.Equal(0, await last.TerminateAsync(TimeSpan.FromSeconds(20)));
        }

        var lines = receiver.Accepted.Select(a => a.Line).ToList();
        var distinct = lines.Select(Number).Distinct().Count();
        var missing = written - distinct;
        var duplicates = receiver.Duplicates;
        // Loki would take these lines: every one is valid UTF-8 however it was written.
        Assert.DoesNotContain(lines, l => l.Contains('\uFFFD') && Number(l) % 4 != 1);
        TestReport.Write($"journal crash test: {kills} kills, {rotations} rotations, {written} entries, missing {missing}, duplicates {duplicates}");
        Assert.Equal(0, missing);
        // A batch holds at most 16 KiB of lines, of at least 29 bytes here.
        Assert.True(duplicates <= kills * BatchBytes / 29, $"{duplicates} duplicates after {kills} kills");
        Assert.Empty(receiver.Rejections);

        // A clean stop saved the last cursor: a restart sends what is new and nothing again.
        var before = lines.Count;
        await using (var again = AgentProcess.Start(["run", "--config", config]))
        {
            var remote = JournalRemote.Start(active);
            await using (remote)
            {
                await remote.AppendAsync(Enumerable.Range(written, 20).Select(Entry).ToList());
                await remote.FinishAsync();
            }
            written += 20;
            await WaitForAllAsync(receiver, written);
            await Task.Delay(500);
            Assert.Equal(0, await again.TerminateAsync(TimeSpan.FromSeconds(20)));
        }
        Assert.Equal(duplicates, receiver.Duplicates);
        Assert.Equal(before + 20, receiver.Accepted.Count);
    }

    private static async Task WaitForAllAsync(LokiReceiver receiver, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (receiver.Accepted.Select(a => Number(a.Line)).Distinct().Count() < count && DateTime.UtcNow < deadline) await Task.Delay(100);
    }
}
