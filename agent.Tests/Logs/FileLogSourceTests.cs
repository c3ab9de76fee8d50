using System.Net;
using Agent.Config;
using Agent.Exporters.Loki;
using Agent.Logs;
using Agent.Pipeline;
using Agent.Telemetry;
using Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Agent.Tests.Logs;

[Collection(nameof(RunsAlone))]
public sealed class FileLogSourceTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-logs-").FullName;
    private readonly LokiReceiver _receiver = new();
    private static readonly Label[] Base = Labels.Sorted([new("host", "h1"), new("environment", "test")]);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string LogPath => Path.Combine(_dir, "app.log");
    private string DataDir => Path.Combine(_dir, "data");

    /// <summary>A file source → Loki exporter → receiver pipeline, as the agent wires it.</summary>
    private sealed class Pipeline : IAsyncDisposable
    {
        public required PositionsStore Positions { get; init; }
        public required LokiExporter Exporter { get; init; }
        public required FileLogSource Source { get; init; }
        public required SelfMetrics Metrics { get; init; }

        public async ValueTask DisposeAsync()
        {
            await Source.StopAsync();
            await Exporter.StopAsync(TimeSpan.FromSeconds(10));
            await Source.DisposeAsync();
            await Positions.DisposeAsync();
            await Exporter.DisposeAsync();
        }
    }

    private Pipeline Start(string glob, int maxPendingBatches = 10, Action<LogsSection, LogFilesConfig>? configure = null, TimeSpan? maxBackoff = null,
        TimeSpan? scanInterval = null)
    {
        var metrics = new SelfMetrics();
        var positions = new PositionsStore(DataDir, NullLogger.Instance);
        positions.Start();
        var exporter = new LokiExporter(new LokiConfig
        {
            UrlValue = new Uri(_receiver.PushUrl),
            TimeoutValue = TimeSpan.FromSeconds(5),
            MinBackoffValue = TimeSpan.FromMilliseconds(20),
            MaxBackoffValue = maxBackoff ?? TimeSpan.FromMilliseconds(200),
            BatchWaitValue = TimeSpan.FromMilliseconds(100),
            BatchSize = 4096,
            MaxPendingBatches = maxPendingBatches,
        }, metrics, NullLogger.Instance);
        exporter.Start();
        var files = new LogFilesConfig { Paths = [glob], Labels = new() { ["job"] = "varlogs" } };
        var logs = new LogsSection { Files = [files] };
        configure?.Invoke(logs, files);
        var source = new FileLogSource(logs, Base, positions, exporter, metrics, NullLogger.Instance, TimeSpan.FromMilliseconds(20), scanInterval);
        source.Start();
        return new Pipeline { Positions = positions, Exporter = exporter, Source = source, Metrics = metrics };
    }

    private static async Task AppendAsync(string path, string prefix, int from, int count, int burst = 50)
    {
        for (var i = from; i < from + count; i += burst)
        {
            await using (var w = new StreamWriter(path, append: true))
            {
                for (var j = i; j < Math.Min(i + burst, from + count); j++) await w.WriteAsync($"{prefix}-{j:D5} {new string('x', j % 97)}\n");
            }
            await Task.Delay(5);
        }
    }

    private static void AssertExactlyOnceInOrder(IEnumerable<string> lines, string prefix, int count)
    {
        var mine = lines.Where(l => l.StartsWith(prefix + "-", StringComparison.Ordinal)).Select(l => int.Parse(l[(prefix.Length + 1)..(prefix.Length + 6)])).ToList();
        Assert.Equal(Enumerable.Range(0, count), mine);
    }

    private async Task WaitForFileWatchedAsync(Pipeline p)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (p.Metrics.Snapshot().FirstOrDefault(f => f.Name == "agent_logs_files_watched")?.Samples[0].Value is not > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "file never picked up");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Every_line_arrives_exactly_once_and_in_order_through_rotation_and_server_errors()
    {
        File.WriteAllText(LogPath, "written before the first start\n");
        await using (var p = Start(LogPath))
        {
            await WaitForFileWatchedAsync(p);
            await AppendAsync(LogPath, "a", 0, 600);
            _receiver.FailNext(3, HttpStatusCode.InternalServerError);
            await AppendAsync(LogPath, "a", 600, 400);

            // Rotation by rename while the writer still holds the old file for a few more lines.
            var rotated = LogPath + ".1";
            File.Move(LogPath, rotated);
            await AppendAsync(rotated, "a", 1000, 100);
            await AppendAsync(LogPath, "b", 0, 300);
            _receiver.FailNext(2, HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(0));
            await AppendAsync(LogPath, "b", 300, 200);

            var lines = await _receiver.WaitForLinesAsync(1600, TimeSpan.FromSeconds(30));
            await Task.Delay(300);
            lines = _receiver.Accepted.Select(a => a.Line).ToList();
            Assert.Equal(1600, lines.Count);
            AssertExactlyOnceInOrder(lines, "a", 1100);
            AssertExactlyOnceInOrder(lines, "b", 500);
            Assert.DoesNotContain("written before the first start", lines);
        }

        var stream = _receiver.Accepted[0].Stream;
        Assert.Equal($"{{environment=\"test\", filename=\"{LogPath}\", host=\"h1\", job=\"varlogs\"}}", stream);
        Assert.Empty(_receiver.Rejections);
        Assert.All(_receiver.Headers, h => Assert.StartsWith("application/x-protobuf||agent/", h));
    }

    [Fact]
    public async Task Restart_resumes_from_the_acknowledged_position_without_duplicates()
    {
        File.WriteAllText(LogPath, "");
        await using (var p = Start(LogPath))
        {
            await WaitForFileWatchedAsync(p);
            await AppendAsync(LogPath, "a", 0, 200);
            await _receiver.WaitForLinesAsync(200, TimeSpan.FromSeconds(20));
        }
        var positions = File.ReadAllText(Path.Combine(DataDir, "positions.json"));
        Assert.Contains($"\"offset\": {new FileInfo(LogPath).Length}", positions);

        // Written while the agent is down: read on the next start, once.
        await AppendAsync(LogPath, "a", 200, 100);
        await using (var p = Start(LogPath))
        {
            await _receiver.WaitForLinesAsync(300, TimeSpan.FromSeconds(20));
            await AppendAsync(LogPath, "a", 300, 50);
            await _receiver.WaitForLinesAsync(350, TimeSpan.FromSeconds(20));
            await Task.Delay(300);
        }
        AssertExactlyOnceInOrder(_receiver.Accepted.Select(a => a.Line), "a", 350);
    }

    [Fact]
    public async Task A_file_rotated_out_of_the_glob_before_its_end_was_sent_is_read_on_after_a_restart()
    {
        File.WriteAllText(LogPath, "");
        await using (var p = Start(LogPath))
        {
            await WaitForFileWatchedAsync(p);
            await AppendAsync(LogPath, "a", 0, 100);
            await _receiver.WaitForLinesAsync(100, TimeSpan.FromSeconds(20));
        }
        // While the agent is down: 50 more lines, then logrotate renames the file out of the glob
        // and the application starts a new app.log.
        await AppendAsync(LogPath, "a", 100, 50);
        File.Move(LogPath, LogPath + ".1");
        await AppendAsync(LogPath, "a", 150, 50);
        await using (var p = Start(LogPath))
        {
            await _receiver.WaitForLinesAsync(200, TimeSpan.FromSeconds(20));
            await Task.Delay(300);
        }
        var lines = _receiver.Accepted.Select(a => a.Line).ToList();
        Assert.Equal(0, _receiver.Duplicates);
        Assert.Equal(Enumerable.Range(0, 200), lines.Select(l => int.Parse(l[2..7])).Order());
        // The rotated file's lines keep the stream they were read in.
        Assert.All(_receiver.Accepted, a => Assert.Contains($"filename=\"{LogPath}\"", a.Stream, StringComparison.Ordinal));
    }

    /// <summary>Issue 13: Loki down while logrotate renames app.log to app.log.1 … .3, and the agent restarts twice.</summary>
    [Fact]
    public async Task Rotations_and_restarts_during_a_monitor_outage_lose_nothing()
    {
        File.WriteAllText(LogPath, "");
        _receiver.FailFor(TimeSpan.FromHours(1));
        await using (var p = Start(LogPath))
        {
            await WaitForFileWatchedAsync(p);
            for (var round = 0; round < 3; round++)
            {
                await AppendAsync(LogPath, "r", round * 50, 50);
                await Task.Delay(300);
                for (var n = round; n >= 1; n--) File.Move($"{LogPath}.{n}", $"{LogPath}.{n + 1}");
                File.Move(LogPath, LogPath + ".1");
                File.WriteAllText(LogPath, "");
                await Task.Delay(300);
            }
            await AppendAsync(LogPath, "r", 150, 50);
            await Task.Delay(300);
        }
        await using (var p = Start(LogPath))
        {
            await Task.Delay(1000);
        }
        Assert.Empty(_receiver.Accepted);
        _receiver.FailFor(TimeSpan.Zero);
        await using (var p = Start(LogPath))
        {
            await _receiver.WaitForLinesAsync(200, TimeSpan.FromSeconds(30));
            await Task.Delay(300);
        }
        Assert.Equal(0, _receiver.Duplicates);
        Assert.Equal(Enumerable.Range(0, 200), _receiver.Accepted.Select(a => int.Parse(a.Line[2..7])).Order());
    }

    /// <summary>Issue 19: a rename rotation leaves no position behind once the old file is read and acknowledged.</summary>
    [Fact]
    public async Task Positions_forget_rotated_files_once_they_are_read_and_acknowledged()
    {
        const int Rotations = 300;
        File.WriteAllText(LogPath, "");
        await using var p = Start(LogPath, scanInterval: TimeSpan.FromMilliseconds(20));
        await WaitForFileWatchedAsync(p);
        for (var r = 0; r < Rotations; r++)
        {
            await AppendAsync(LogPath, "k", r * 3, 3);
            File.Move(LogPath, Path.Combine(_dir, $"old-{r}.gz"));
            File.WriteAllText(LogPath, "");
            // The new file must be opened before the next rotation; one never seen cannot be read.
            var fresh = FileIdentity.Of(LogPath);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (p.Positions.Find(fresh, LogPath) is null)
            {
                Assert.True(DateTime.UtcNow < deadline, $"rotation {r}: the new app.log was never opened");
                await Task.Delay(5);
            }
        }
        await _receiver.WaitForLinesAsync(Rotations * 3, TimeSpan.FromSeconds(30));
        var settled = DateTime.UtcNow.AddSeconds(20);
        while (p.Positions.Files().Count > 1 && DateTime.UtcNow < settled) await Task.Delay(50);
        Assert.Equal([LogPath], p.Positions.Files().Select(f => f.Path));
        Assert.Equal(0, _receiver.Duplicates);
        Assert.Equal(Rotations * 3, _receiver.Accepted.Count);
    }

    [Fact]
    public async Task Truncation_is_read_again_from_the_start_and_new_files_from_their_beginning()
    {
        File.WriteAllText(LogPath, "");
        await using var p = Start(Path.Combine(_dir, "*.log"));
        await WaitForFileWatchedAsync(p);
        await AppendAsync(LogPath, "a", 0, 100);
        await _receiver.WaitForLinesAsync(100, TimeSpan.FromSeconds(20));

        File.WriteAllText(LogPath, "");
        await AppendAsync(LogPath, "t", 0, 10);
        var late = Path.Combine(_dir, "late.log");
        await AppendAsync(late, "n", 0, 20);
        var lines = await _receiver.WaitForLinesAsync(130, TimeSpan.FromSeconds(20));
        AssertExactlyOnceInOrder(lines, "t", 10);
        AssertExactlyOnceInOrder(lines, "n", 20);
    }

    [Fact]
    public async Task A_full_backlog_pauses_reading_and_loses_nothing_when_the_monitor_returns()
    {
        File.WriteAllText(LogPath, "");
        _receiver.FailNext(40, HttpStatusCode.ServiceUnavailable);
        await using var p = Start(LogPath, maxPendingBatches: 1);
        await WaitForFileWatchedAsync(p);
        await AppendAsync(LogPath, "a", 0, 2000, burst: 200);
        var lines = await _receiver.WaitForLinesAsync(2000, TimeSpan.FromSeconds(60));
        AssertExactlyOnceInOrder(lines, "a", 2000);
    }

    [Fact]
    public async Task Crlf_and_invalid_utf8_are_normalised()
    {
        File.WriteAllText(LogPath, "");
        await using var p = Start(LogPath);
        await WaitForFileWatchedAsync(p);
        await using (var f = new FileStream(LogPath, FileMode.Append))
        {
            f.Write("windows\r\n"u8);
            f.Write([0x62, 0x61, 0x64, 0xFF, 0xFE, 0x0A]);
        }
        var lines = await _receiver.WaitForLinesAsync(2, TimeSpan.FromSeconds(20));
        Assert.Equal(["windows", "bad\uFFFD\uFFFD"], lines);
    }

    [Fact]
    public async Task A_corrupt_positions_file_is_set_aside_and_reported()
    {
        Directory.CreateDirectory(DataDir);
        File.WriteAllText(Path.Combine(DataDir, "positions.json"), "{ not json");
        await using var store = new PositionsStore(DataDir, NullLogger.Instance);
        Assert.True(store.FirstStart);
        Assert.Single(Directory.GetFiles(DataDir, "positions.json.corrupt-*"));
    }

    [Fact]
    public async Task Long_lines_are_cut_and_marked_and_a_last_line_without_newline_is_sent_after_the_timeout()
    {
        File.WriteAllText(LogPath, "");
        await using var p = Start(LogPath, configure: (logs, _) =>
        {
            logs.MaxLineSize = 1024;
            logs.PartialLineTimeoutValue = TimeSpan.FromMilliseconds(300);
        });
        await WaitForFileWatchedAsync(p);
        await File.AppendAllTextAsync(LogPath, new string('x', 5000) + "\nshort\n" + new string('y', 1024) + "\nno newline yet");
        var lines = await _receiver.WaitForLinesAsync(4, TimeSpan.FromSeconds(20));
        Assert.Equal(1024, System.Text.Encoding.UTF8.GetByteCount(lines[0]));
        Assert.EndsWith(LineText.TruncatedMarker, lines[0]);
        Assert.Equal("short", lines[1]);
        Assert.Equal(new string('y', 1024), lines[2]);
        Assert.Equal("no newline yet", lines[3]);
        Assert.Equal(1, p.Metrics.Snapshot().Single(f => f.Name == "agent_logs_lines_truncated_total").Samples[0].Value);
    }

    [Fact]
    public async Task Read_from_beginning_drops_and_level_labels()
    {
        File.WriteAllText(LogPath, "{\"level\":\"WARNING\",\"msg\":\"disk\"}\nts=1 level=error msg=boom\nhealthcheck ok\nplain text\n");
        await using var p = Start(LogPath, configure: (_, files) =>
        {
            files.ReadFrom = "beginning";
            files.ExtractLevel = true;
            files.DropRegexes = [new System.Text.RegularExpressions.Regex("^healthcheck")];
        });
        var accepted = (await _receiver.WaitForLinesAsync(3, TimeSpan.FromSeconds(20))).Count;
        await Task.Delay(200);
        var entries = _receiver.Accepted;
        Assert.Equal(3, entries.Count);
        Assert.Contains("level=\"warn\"", entries.Single(e => e.Line.Contains("disk")).Stream);
        Assert.Contains("level=\"error\"", entries.Single(e => e.Line.Contains("boom")).Stream);
        Assert.Contains("level=\"unknown\"", entries.Single(e => e.Line == "plain text").Stream);
        Assert.Equal(1, p.Metrics.Snapshot().Single(f => f.Name == "agent_logs_lines_dropped_total").Samples[0].Value);
    }

    [Fact]
    public async Task Copytruncate_refilled_past_the_offset_is_detected_by_the_first_bytes()
    {
        File.WriteAllText(LogPath, "");
        await using var p = Start(LogPath);
        await WaitForFileWatchedAsync(p);
        await AppendAsync(LogPath, "a", 0, 10);
        await _receiver.WaitForLinesAsync(10, TimeSpan.FromSeconds(20));
        // Truncate and refill beyond the old size before the tailer looks again.
        var refill = string.Concat(Enumerable.Range(0, 40).Select(i => $"c-{i:D5} {new string('z', 40)}\n"));
        await using (var f = new FileStream(LogPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            f.SetLength(0);
            await f.WriteAsync(System.Text.Encoding.UTF8.GetBytes(refill));
        }
        var lines = await _receiver.WaitForLinesAsync(50, TimeSpan.FromSeconds(20));
        AssertExactlyOnceInOrder(lines, "c", 40);
    }

    [Fact]
    public async Task Rotation_torture_rename_create_and_copytruncate_alternating_loses_nothing()
    {
        File.WriteAllText(LogPath, "");
        await using var p = Start(Path.Combine(_dir, "app.log*"));
        await WaitForFileWatchedAsync(p);
        var random = new Random(42);
        var next = 0;
        var rotations = 0;
        var writer = new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        void Write(FileStream target, int count)
        {
            var sb = new System.Text.StringBuilder();
            for (var i = 0; i < count; i++) sb.Append($"n-{next++:D6} {new string('p', random.Next(0, 120))}\n");
            target.Write(System.Text.Encoding.UTF8.GetBytes(sb.ToString()));
            target.Flush();
        }
        void Rotate()
        {
            var rotated = $"{LogPath}.{++rotations}";
            if (rotations % 2 == 0)
            {
                // rename/create: a few late lines still reach the renamed file through the old handle.
                File.Move(LogPath, rotated);
                Write(writer, random.Next(0, 5));
                writer.Dispose();
                writer = new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            }
            else
            {
                // copytruncate: the writer keeps its O_APPEND handle and continues at offset 0.
                File.Copy(LogPath, rotated);
                writer.SetLength(0);
            }
        }
        try
        {
            while (rotations < 120)
            {
                Write(writer, random.Next(20, 200));
                Rotate();
                // Every tenth time a second rotation follows at once: two rotations between two reads.
                if (rotations % 10 == 0)
                {
                    Write(writer, random.Next(1, 20));
                    Rotate();
                }
                await Task.Delay(random.Next(0, 8));
            }
            Write(writer, 100);
        }
        finally
        {
            writer.Dispose();
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        HashSet<int> seen;
        while (true)
        {
            seen = _receiver.Accepted.Select(a => Number(a.Line)).Where(n => n >= 0).ToHashSet();
            if (seen.Count == next || DateTime.UtcNow > deadline) break;
            await Task.Delay(200);
        }
        var torn = _receiver.Accepted.Where(a => Number(a.Line) < 0).Select(a => a.Line).ToList();
        var received = _receiver.Accepted.Count - torn.Count;
        var missing = Enumerable.Range(0, next).Count(n => !seen.Contains(n));
        var duplicates = received - seen.Count;
        TestReport.Write($"rotation torture: {rotations} rotations, {next} lines, missing {missing}, duplicates {duplicates}, torn {torn.Count}");
        if (torn.Count > 0) Assert.Fail($"{torn.Count} lines sent from their middle, e.g. \"{torn[0][..Math.Min(40, torn[0].Length)]}\"");
        if (missing > 0) Assert.Fail($"{missing} of {next} lines missing after {rotations} rotations (first: {Enumerable.Range(0, next).First(n => !seen.Contains(n))})");
        // Copies wait for their original's truncation and start where it stopped, and they read
        // after their originals in each round, so a source held up by the sink or the scheduler still
        // starts them exactly: 0 alone, and 0 in 59 of 60 runs beside three CPU burners (load 13).
        // The bound is one rotation's lines (at most 200 are written between two): the one run that
        // duplicated sent the first copy's 140 lines twice, while a copy read from its start every
        // time would duplicate about half of all lines.
        Assert.True(duplicates <= 200, $"{duplicates} duplicates of {next} lines");

        // "n-000123 ppp": the line's number, or -1 for a line that does not start as written.
        static int Number(string line) => line.Length >= 8 && line.StartsWith("n-", StringComparison.Ordinal) && int.TryParse(line.AsSpan(2, 6), out var n) ? n : -1;
    }

    [Fact]
    public async Task A_rotation_between_a_scans_listing_and_its_open_loses_the_renamed_file_to_nothing_and_opens_nothing_twice()
    {
        // app.log is renamed to app.log.1 and a new app.log (Y) appears; the scan that lists Y is
        // followed, before it opens app.log, by a second rotation: Y becomes app.log.2, Z app.log.
        File.WriteAllText(LogPath, string.Concat(Enumerable.Range(0, 100).Select(i => $"a-{i:D5}\n")));
        FileIdentity y = default;
        var rotatedUnderTheScan = false;
        var sink = new ListLogSink();
        await using var source = new SinkSource(this, sink, (glob, ct) =>
        {
            var scan = glob.Scan(ct);
            if (!rotatedUnderTheScan && y.IsKnown && scan.Files.Contains((LogPath, y)))
            {
                rotatedUnderTheScan = true;
                File.Move(LogPath, LogPath + ".2");
                File.WriteAllText(LogPath, string.Concat(Enumerable.Range(0, 50).Select(i => $"c-{i:D5}\n")));
            }
            return scan;
        });
        await sink.WaitForLinesAsync(100, TimeSpan.FromSeconds(10));
        File.Move(LogPath, LogPath + ".1");
        File.WriteAllText(LogPath, string.Concat(Enumerable.Range(0, 50).Select(i => $"b-{i:D5}\n")));
        y = FileIdentity.Of(LogPath);

        var lines = await sink.WaitForLinesAsync(200, TimeSpan.FromSeconds(10));
        await Task.Delay(500);
        Assert.True(rotatedUnderTheScan);
        lines = sink.Lines;
        Assert.Equal(200, lines.Count);
        AssertExactlyOnceInOrder(lines, "a", 100);
        AssertExactlyOnceInOrder(lines, "b", 50);
        AssertExactlyOnceInOrder(lines, "c", 50);
    }

    [Fact]
    public async Task A_copy_found_while_still_empty_is_told_apart_by_its_first_bytes_and_sends_nothing_twice()
    {
        File.WriteAllText(LogPath, string.Concat(Enumerable.Range(0, 100).Select(i => $"a-{i:D5}\n")));
        var sink = new ListLogSink();
        await using var source = new SinkSource(this, sink);
        await sink.WaitForLinesAsync(100, TimeSpan.FromSeconds(10));

        // copytruncate as logrotate does it: the copy is created, and found, before its bytes are in.
        var copy = new FileStream(LogPath + ".1", FileMode.CreateNew, FileAccess.Write);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (source.Metrics.Snapshot().Single(f => f.Name == "agent_logs_files_watched").Samples[0].Value < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the empty copy was never opened");
            await Task.Delay(20);
        }
        await Task.Delay(100);
        copy.Write(File.ReadAllBytes(LogPath));
        copy.Dispose();
        await Task.Delay(100);
        File.WriteAllText(LogPath, string.Concat(Enumerable.Range(0, 50).Select(i => $"b-{i:D5}\n")));

        await sink.WaitForLinesAsync(150, TimeSpan.FromSeconds(10));
        await Task.Delay(1000);
        var lines = sink.Lines;
        Assert.Equal(150, lines.Count);
        AssertExactlyOnceInOrder(lines, "a", 100);
        AssertExactlyOnceInOrder(lines, "b", 50);
    }

    /// <summary>A file source over app.log* that hands its lines straight to <paramref name="sink"/> (acknowledged at once).</summary>
    private sealed class SinkSource : IAsyncDisposable
    {
        private readonly PositionsStore _positions;
        private readonly FileLogSource _source;

        public SinkSource(FileLogSourceTests test, ILogSink sink, Func<FileGlob, CancellationToken, GlobScan>? list = null)
        {
            var logs = new LogsSection { ReadFrom = "beginning", Files = [new LogFilesConfig { Paths = [Path.Combine(test._dir, "app.log*")] }] };
            _positions = new PositionsStore(test.DataDir, NullLogger.Instance);
            _source = new FileLogSource(logs, Base, _positions, sink, Metrics, NullLogger.Instance, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100))
            {
                List = list ?? ((glob, ct) => glob.Scan(ct)),
            };
            _source.Start();
        }

        public SelfMetrics Metrics { get; } = new();

        public async ValueTask DisposeAsync()
        {
            await _source.DisposeAsync();
            await _positions.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_30_second_outage_of_500_and_429_loses_nothing_and_a_400_drops_only_the_refused_line()
    {
        File.WriteAllText(LogPath, "");
        await using var p = Start(LogPath, maxPendingBatches: 2, maxBackoff: TimeSpan.FromSeconds(2));
        await WaitForFileWatchedAsync(p);
        _receiver.FailFor(TimeSpan.FromSeconds(30));
        var writing = AppendAsync(LogPath, "o", 0, 3000, burst: 30);
        await Task.Delay(TimeSpan.FromSeconds(31));
        await writing;
        var lines = await _receiver.WaitForLinesAsync(3000, TimeSpan.FromSeconds(30));
        AssertExactlyOnceInOrder(lines, "o", 3000);

        _receiver.RejectLinesLongerThan(2000);
        await File.AppendAllTextAsync(LogPath, "before\n" + new string('L', 5000) + "\nafter\n");
        lines = await _receiver.WaitForLinesAsync(3002, TimeSpan.FromSeconds(20));
        Assert.Equal(["before", "after"], lines.Skip(3000));
        await Task.Delay(300);
        var dropped = p.Metrics.Snapshot().Single(f => f.Name == "agent_loki_entries_dropped_total").Samples.Sum(s => s.Value);
        Assert.Equal(1, dropped);
        var retries = p.Metrics.Snapshot().Single(f => f.Name == "agent_loki_retries_total").Samples.Sum(s => s.Value);
        TestReport.Write($"receiver outage: 30 s of 500/429, 3000 lines, missing 0, retries {retries}; one over-long line refused (400), dropped {dropped}");
    }

    [Fact]
    public async Task Multiline_joins_continuation_lines_and_identical_lines_get_distinct_timestamps()
    {
        File.WriteAllText(LogPath, "");
        await using var p = Start(LogPath, configure: (_, files) =>
            files.Multiline = new MultilineConfig { StartRegex = new System.Text.RegularExpressions.Regex(@"^\d{4}-"), MaxLines = 3, MaxWaitValue = TimeSpan.FromMilliseconds(300) });
        await WaitForFileWatchedAsync(p);
        await File.AppendAllTextAsync(LogPath,
            "2026-01-01 ERROR boom\n  at A.B()\n  at C.D()\n2026-01-01 same\n2026-01-01 same\n2026-01-01 long\n 1\n 2\n 3\n2026-01-01 last\n  at E.F()\n");
        var lines = await _receiver.WaitForLinesAsync(6, TimeSpan.FromSeconds(20));
        Assert.Equal(["2026-01-01 ERROR boom\n  at A.B()\n  at C.D()", "2026-01-01 same", "2026-01-01 same", "2026-01-01 long\n 1\n 2", " 3", "2026-01-01 last\n  at E.F()"], lines);
        var stamps = _receiver.Accepted.Select(a => a.TimestampNs).ToList();
        Assert.Equal(stamps.Count, stamps.Distinct().Count());
    }

    [Fact]
    public async Task A_new_file_is_found_at_once_through_inotify_not_only_by_the_periodic_scan()
    {
        await using var p = Start(Path.Combine(_dir, "*.log"), scanInterval: TimeSpan.FromMinutes(10));
        await Task.Delay(300);
        await AppendAsync(Path.Combine(_dir, "fresh.log"), "f", 0, 5);
        var lines = await _receiver.WaitForLinesAsync(5, TimeSpan.FromSeconds(5));
        AssertExactlyOnceInOrder(lines, "f", 5);
    }

    [Fact]
    public async Task Lag_is_reported_per_file_and_removed_when_the_file_is_gone()
    {
        File.WriteAllText(LogPath, "");
        await using var p = Start(LogPath);
        await WaitForFileWatchedAsync(p);
        await AppendAsync(LogPath, "a", 0, 20);
        await _receiver.WaitForLinesAsync(20, TimeSpan.FromSeconds(20));
        double? Lag() => p.Metrics.Snapshot().SingleOrDefault(f => f.Name == "agent_logs_file_lag_bytes")?.Samples
            .Where(s => s.Labels.Contains(new Label("filename", LogPath))).Select(s => (double?)s.Value).SingleOrDefault();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Lag() is not 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(0, Lag());
        File.Delete(LogPath);
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (Lag() is not null && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Null(Lag());
    }

    [Fact]
    public async Task Fifos_sockets_devices_and_symlink_loops_in_the_glob_are_reported_once_and_the_regular_file_is_still_tailed()
    {
        using var special = new SpecialFiles();
        var logs = Path.Combine(_dir, "logs");
        Directory.CreateDirectory(logs);
        SpecialFiles.SymlinkLoops(logs);
        SpecialFiles.Fifo(Path.Combine(logs, "quiet.log"));
        special.FifoWithWriter(Path.Combine(logs, "sub", "busy.log"));
        special.Socket(Path.Combine(logs, "sub", "deeper", "sock.log"));
        File.CreateSymbolicLink(Path.Combine(logs, "null.log"), "/dev/null");
        var app = Path.Combine(logs, "sub", "deeper", "deepest", "app.log");
        File.WriteAllText(app, "");
        await using var p = Start(Path.Combine(logs, "**", "*.log"), configure: (l, _) => l.ReadFrom = "beginning", scanInterval: TimeSpan.FromMilliseconds(50));
        await WaitForFileWatchedAsync(p);
        await AppendAsync(app, "a", 0, 300);
        AssertExactlyOnceInOrder(await _receiver.WaitForLinesAsync(300, TimeSpan.FromSeconds(20)), "a", 300);
        // Many scans later: still one report each, one file open, and no handle on any special file.
        await Task.Delay(1000);
        double Skipped(string reason) => p.Metrics.Snapshot().Single(f => f.Name == "agent_logs_files_skipped_total").Samples
            .Single(s => s.Labels.Contains(new Label("reason", reason))).Value;
        Assert.Equal(2, Skipped("fifo"));
        Assert.Equal(1, Skipped("socket"));
        Assert.Equal(1, Skipped("device"));
        Assert.Equal(1, Skipped("unreadable_file"));
        Assert.Equal(1, p.Metrics.Snapshot().Single(f => f.Name == "agent_logs_files_watched").Samples[0].Value);
        var open = Directory.GetFiles("/proc/self/fd").Select(fd => new FileInfo(fd).LinkTarget).Where(t => t?.StartsWith(logs) == true).ToList();
        Assert.Equal([app], open);
        Assert.DoesNotContain(_receiver.Accepted, a => a.Line == "written-to-fifo");
    }

    [Fact]
    public async Task Stopping_never_waits_on_a_fifo_without_a_writer()
    {
        SpecialFiles.Fifo(LogPath);
        var p = Start(LogPath);
        await Task.Delay(500);
        await p.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, p.Metrics.Counter("agent_logs_files_skipped_total", "", new Label("reason", "fifo")).Value);
    }
}
