using System.Text;
using System.Text.Json;
using Agent.Config;
using Agent.Logs;
using Agent.Logs.Journal;
using Agent.Pipeline;
using Agent.Telemetry;
using Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Agent.Tests.Logs.Journal;

/// <summary>
/// The journal source on real journal files, written by systemd-journal-remote from
/// export-format entries, read through libsystemd as the agent reads the system journal.
/// </summary>
public sealed class JournalLogSourceTests : IAsyncDisposable
{
    private static readonly Label[] Base = Labels.Sorted([new("host", "h1"), new("environment", "test")]);
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-journal-").FullName;
    private readonly SelfMetrics _metrics = new();

    public async ValueTask DisposeAsync()
    {
        await Task.CompletedTask;
        Directory.Delete(_dir, recursive: true);
    }

    private string JournalDir => Path.Combine(_dir, "journal");
    private string DataDir => Path.Combine(_dir, "data");

    private static LibSystemd Lib()
    {
        if (LibSystemd.TryLoad(out var why) is { } lib) return lib;
        if (ServerBinary.InCi) Assert.Fail(why);
        Assert.Skip(why);
        return null!;
    }

    private JournalLogSource Source(PositionsStore positions, ILogSink sink, Action<LogsSection>? configure = null, int reopenAfter = 20_000)
    {
        var logs = new LogsSection
        {
            ReadFrom = "beginning",
            Journal = new JournalLogsSection { Enabled = true, Path = JournalDir, MaxAgeValue = TimeSpan.FromDays(3650), MaxAge = "3650d" },
        };
        configure?.Invoke(logs);
        var source = new JournalLogSource(Lib(), logs, Base, positions, sink, _metrics, NullLogger.Instance, TimeSpan.FromMilliseconds(20), reopenAfter);
        source.Start();
        return source;
    }

    private async Task WriteFixtureAsync()
    {
        Directory.CreateDirectory(JournalDir);
        var remote = JournalRemote.Start(Path.Combine(JournalDir, "fixture.journal"));
        await using (remote)
        {
            await using (var input = File.OpenRead(Fixtures.Path("journal", "entries.export")))
            {
                using var copy = new MemoryStream();
                await input.CopyToAsync(copy);
                await remote.AppendRawAsync(copy.ToArray());
            }
            await remote.FinishAsync();
        }
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

    private static List<JournalExportEntry> Numbered(int from, int count, long startUsec, string unit = "app.service") =>
        [.. Enumerable.Range(from, count).Select(i => JournalExportEntry.Text(startUsec + i, 1_000_000 + i, $"entry {i:D5}",
            ("_SYSTEMD_UNIT", unit), ("PRIORITY", "6"), ("_TRANSPORT", "stdout")))];

    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One line of entries.expected: time (ns), stream, line as a JSON string.</summary>
    private static string Render(LogEntry entry) =>
        $"{entry.TimestampNs} {entry.Stream.Selector} {JsonSerializer.Serialize(Encoding.UTF8.GetString(entry.Line), Readable)}";

    [Fact]
    public async Task Fixture_entries_become_lines_with_their_labels_levels_and_times()
    {
        await WriteFixtureAsync();
        await using var positions = new PositionsStore(DataDir, NullLogger.Instance);
        var sink = new CollectingSink();
        await using (Source(positions, sink))
        {
            await sink.WaitForAsync(11);
            await Task.Delay(200);
        }
        var expected = await File.ReadAllLinesAsync(Fixtures.Path("journal", "entries.expected"));
        Assert.Equal(expected, sink.Entries.Select(Render));
    }

    [Fact]
    public async Task Extract_level_takes_the_message_level_over_priority()
    {
        await WriteFixtureAsync();
        await using var positions = new PositionsStore(DataDir, NullLogger.Instance);
        var sink = new CollectingSink();
        await using (Source(positions, sink, logs => logs.Journal.ExtractLevel = true))
        {
            await sink.WaitForAsync(11);
        }
        string Level(LogEntry e) => e.Stream.Labels.Single(l => l.Name == "level").Value;
        // PRIORITY=6 (info) but the JSON line says error; a plain line keeps its PRIORITY's level.
        Assert.Equal("error", Level(sink.Entries.First(e => Encoding.UTF8.GetString(e.Line).Contains("db down"))));
        Assert.Equal("warn", Level(sink.Entries.First(e => Encoding.UTF8.GetString(e.Line).StartsWith("EXT4-fs"))));
    }

    [Fact]
    public async Task A_message_longer_than_max_line_size_is_cut_marked_and_counted()
    {
        Directory.CreateDirectory(JournalDir);
        var now = Now() - 60_000_000;
        await JournalRemote.WriteAsync(Path.Combine(JournalDir, "a.journal"),
            [JournalExportEntry.Text(now, 1_000_000, new string('x', 100_000), ("PRIORITY", "6")), JournalExportEntry.Text(now + 1, 1_000_001, "short")]);
        await using var positions = new PositionsStore(DataDir, NullLogger.Instance);
        var sink = new CollectingSink();
        await using (Source(positions, sink, logs => logs.MaxLineSize = 4096)) await sink.WaitForAsync(2);
        var cut = Encoding.UTF8.GetString(sink.Entries[0].Line);
        Assert.Equal(4096, sink.Entries[0].Line.Length);
        Assert.EndsWith(LineText.TruncatedMarker, cut);
        Assert.Equal("short", Encoding.UTF8.GetString(sink.Entries[1].Line));
        Assert.Equal(1, _metrics.Counter("agent_logs_lines_truncated_total", "").Value);
    }

    [Fact]
    public async Task Matches_select_entries_as_journalctl_does()
    {
        await WriteFixtureAsync();
        await using var positions = new PositionsStore(DataDir, NullLogger.Instance);
        var sink = new CollectingSink();
        await using (Source(positions, sink, logs => logs.Journal.Matches = ["_SYSTEMD_UNIT=ssh.service", "+", "_TRANSPORT=kernel"]))
        {
            await sink.WaitForAsync(2);
            await Task.Delay(300);
        }
        Assert.Equal(["Accepted publickey for root from 192.0.2.7 port 50122 ssh2", "EXT4-fs (sda1): warning: mounting fs with errors, running e2fsck is recommended"],
            sink.Entries.Select(e => Encoding.UTF8.GetString(e.Line)));
    }

    [Fact]
    public async Task A_restart_resumes_after_the_acknowledged_cursor_and_skips_exactly_that_entry()
    {
        Directory.CreateDirectory(JournalDir);
        var start = Now() - 60_000_000;
        await JournalRemote.WriteAsync(Path.Combine(JournalDir, "a.journal"), Numbered(0, 10, start));
        await using (var positions = new PositionsStore(DataDir, NullLogger.Instance))
        {
            var sink = new CollectingSink(acknowledge: false);
            await using (Source(positions, sink))
            {
                await sink.WaitForAsync(10);
            }
            // Entries 0..3 delivered; 5 too, but not 4: the cursor may not pass an unsettled entry.
            foreach (var i in new[] { 0, 1, 2, 3, 5 }) sink.Entries[i].Ack!.Acknowledge(sink.Entries[i].AckOffset);
        }
        await using (var positions = new PositionsStore(DataDir, NullLogger.Instance))
        {
            var sink = new CollectingSink();
            await using (Source(positions, sink))
            {
                await sink.WaitForAsync(6);
                await Task.Delay(300);
            }
            Assert.Equal(Enumerable.Range(4, 6).Select(i => $"entry {i:D5}"), sink.Entries.Select(e => Encoding.UTF8.GetString(e.Line)));
        }
        // Everything acknowledged at the second stop: a third start has nothing to send.
        await using (var positions = new PositionsStore(DataDir, NullLogger.Instance))
        {
            var sink = new CollectingSink();
            await using (Source(positions, sink)) await Task.Delay(500);
            Assert.Empty(sink.Entries);
        }
    }

    [Fact]
    public async Task A_first_start_reading_from_the_end_sends_only_new_entries_and_saves_where_it_began_at_once()
    {
        Directory.CreateDirectory(JournalDir);
        var start = Now() - 60_000_000;
        await JournalRemote.WriteAsync(Path.Combine(JournalDir, "a.journal"), Numbered(0, 5, start));
        var sink = new CollectingSink(acknowledge: false);
        await using (var positions = new PositionsStore(DataDir, NullLogger.Instance))
        {
            await using (Source(positions, sink, logs => logs.ReadFrom = "end"))
            {
                await Task.Delay(500);
                Assert.Empty(sink.Entries);
                Assert.Contains("i=5;", File.ReadAllText(positions.FilePath));
                await JournalRemote.WriteAsync(Path.Combine(JournalDir, "b.journal"), Numbered(5, 3, start + 1000));
                await sink.WaitForAsync(3);
            }
        }
        Assert.Equal(["entry 00005", "entry 00006", "entry 00007"], sink.Entries.Select(e => Encoding.UTF8.GetString(e.Line)));
        // Killed before any acknowledgement: the next start is no first start, and resumes after the saved end.
        await using (var positions = new PositionsStore(DataDir, NullLogger.Instance))
        {
            var again = new CollectingSink();
            await using (Source(positions, again, logs => logs.ReadFrom = "end")) await again.WaitForAsync(3);
            Assert.Equal(["entry 00005", "entry 00006", "entry 00007"], again.Entries.Select(e => Encoding.UTF8.GetString(e.Line)));
        }
    }

    [Theory]
    [InlineData("too_old")]
    [InlineData("invalid")]
    public async Task A_cursor_too_old_or_refused_starts_at_now_minus_max_age_and_is_counted(string reason)
    {
        Directory.CreateDirectory(JournalDir);
        var now = Now();
        // Two hours ago (past a max_age of 1 h) and half an hour ago (within it).
        await JournalRemote.WriteAsync(Path.Combine(JournalDir, "a.journal"),
            [.. Numbered(0, 3, now - 7_200_000_000L), .. Numbered(3, 3, now - 1_800_000_000L)]);
        await using (var positions = new PositionsStore(DataDir, NullLogger.Instance))
        {
            positions.SetJournal(JournalDir, reason == "invalid"
                ? "not a cursor"
                : $"s=0123456789abcdef0123456789abcdef;i=1;b={JournalExportEntry.BootId};m=1;t={now - 3 * 3_600_000_000L:x};x=1");
            positions.Save();
        }
        await using (var positions = new PositionsStore(DataDir, NullLogger.Instance))
        {
            var sink = new CollectingSink();
            await using (Source(positions, sink, logs => logs.Journal.MaxAgeValue = TimeSpan.FromHours(1)))
            {
                await sink.WaitForAsync(3);
                await Task.Delay(300);
            }
            Assert.Equal(["entry 00003", "entry 00004", "entry 00005"], sink.Entries.Select(e => Encoding.UTF8.GetString(e.Line)));
        }
        Assert.Equal(1, _metrics.Counter("agent_logs_journal_cursor_resets_total", "", new Label("reason", reason)).Value);
    }

    [Fact]
    public async Task Rotation_and_vacuum_while_reading_lose_nothing_still_on_disk()
    {
        Directory.CreateDirectory(JournalDir);
        var start = Now() - 600_000_000;
        await using var positions = new PositionsStore(DataDir, NullLogger.Instance);
        var sink = new CollectingSink();
        await using (Source(positions, sink))
        {
            var active = Path.Combine(JournalDir, "remote.journal");
            for (var round = 0; round < 4; round++)
            {
                var remote = JournalRemote.Start(active);
                await using (remote)
                {
                    for (var burst = 0; burst < 5; burst++)
                    {
                        await remote.AppendAsync(Numbered(round * 100 + burst * 20, 20, start));
                        await Task.Delay(20);
                    }
                    await remote.FinishAsync();
                }
                // Rotation as journald does it: the file is archived under a new name, a new one takes its place.
                File.Move(active, Path.Combine(JournalDir, $"remote@{round:x32}-{round:x16}-{round:x16}.journal"));
                if (round >= 2)
                {
                    // Vacuum: the oldest archive goes once it has been read.
                    await sink.WaitForAsync((round - 1) * 100);
                    File.Delete(Path.Combine(JournalDir, $"remote@{round - 2:x32}-{round - 2:x16}-{round - 2:x16}.journal"));
                }
            }
            await sink.WaitForAsync(400);
            await Task.Delay(300);
        }
        Assert.Equal(Enumerable.Range(0, 400).Select(i => $"entry {i:D5}"), sink.Entries.Select(e => Encoding.UTF8.GetString(e.Line)));
    }

    [Fact]
    public async Task Reopening_after_a_catch_up_continues_just_after_the_last_entry_read()
    {
        Directory.CreateDirectory(JournalDir);
        var start = Now() - 600_000_000;
        await using var positions = new PositionsStore(DataDir, NullLogger.Instance);
        var sink = new CollectingSink();
        // Reopened whenever caught up after 7 entries: after nearly every burst below.
        await using (Source(positions, sink, reopenAfter: 7))
        {
            var remote = JournalRemote.Start(Path.Combine(JournalDir, "remote.journal"));
            await using (remote)
            {
                for (var burst = 0; burst < 10; burst++)
                {
                    await remote.AppendAsync(Numbered(burst * 10, 10, start));
                    await sink.WaitForAsync(burst * 10 + 10);
                }
                await remote.FinishAsync();
            }
            await Task.Delay(300);
        }
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"entry {i:D5}"), sink.Entries.Select(e => Encoding.UTF8.GetString(e.Line)));
    }

    [Fact]
    public async Task Positions_are_not_rewritten_while_nothing_new_arrives()
    {
        Directory.CreateDirectory(JournalDir);
        await JournalRemote.WriteAsync(Path.Combine(JournalDir, "a.journal"), Numbered(0, 5, Now() - 60_000_000));
        await using var positions = new PositionsStore(DataDir, NullLogger.Instance);
        positions.Start();
        var sink = new CollectingSink();
        await using (Source(positions, sink))
        {
            await sink.WaitForAsync(5);
            positions.Save();
            var written = File.GetLastWriteTimeUtc(positions.FilePath);
            Assert.Contains("i=5;", File.ReadAllText(positions.FilePath));
            // The saver ticks every second: two ticks with nothing new.
            await Task.Delay(2500);
            Assert.Equal(written, File.GetLastWriteTimeUtc(positions.FilePath));
        }
    }

    /// <summary>Records every entry handed over; acknowledges each at once unless told not to.</summary>
    private sealed class CollectingSink(bool acknowledge = true) : ILogSink
    {
        private readonly List<LogEntry> _entries = [];

        public List<LogEntry> Entries { get { lock (_entries) return [.. _entries]; } }

        public ValueTask WriteAsync(LogEntry entry, CancellationToken ct)
        {
            lock (_entries) _entries.Add(entry);
            if (acknowledge) entry.Ack?.Acknowledge(entry.AckOffset);
            return ValueTask.CompletedTask;
        }

        public async Task WaitForAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (Entries.Count < count)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Entries.Count} of {count} entries: {string.Join(" | ", Entries.Select(e => Encoding.UTF8.GetString(e.Line)))}");
                await Task.Delay(20);
            }
        }
    }
}
