using System.Text;
using Agent.Docker;
using Agent.Docker.Engine;
using Agent.Logs;
using Agent.Logs.Docker;
using Agent.Logs.Processing;
using Agent.Pipeline;
using Agent.Telemetry;
using Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Agent.Tests.Logs.Docker;

/// <summary>The follower on literal engine output: multiplexed frames as the logs API sends them.</summary>
public sealed class DockerLogFollowerTests : IDisposable
{
    private const string T1 = "2026-11-25T15:48:12.000000001Z";
    private const string T2 = "2026-11-25T15:48:12.000000002Z";
    private const string T3 = "2026-11-25T15:48:12.000000003Z";
    private const long Ns1 = 1_795_621_692_000_000_001L;
    private static readonly Label[] Source = Labels.Sorted([new("host", "h1"), new("job", "docker")]);
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-dfollow-").FullName;
    private readonly PositionsStore _positions;
    private readonly SelfMetrics _metrics = new();

    public DockerLogFollowerTests() => _positions = new PositionsStore(_dir, NullLogger.Instance);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ContainerRecord Container(bool tty = false, Dictionary<string, string>? labels = null) =>
        new("c0ffee", "web-1", "nginx:1.27", "running", 42, DateTimeOffset.UtcNow, 0, false, 0, tty, labels ?? []);

    private DockerLogFollower Follower(ContainerRecord container, long after = 0, int maxLine = 1024, LineProcessor? processor = null) =>
        new(container, Source, new DockerLogSettings(maxLine, processor ?? LineProcessor.None), after, _positions, new LogCounters(_metrics));

    /// <summary>The engine's stream bytes in a frame header.</summary>
    private const byte StdoutFrame = 1, StderrFrame = 2;

    private static byte[] Frame(byte target, string text) => Frame(target, Encoding.UTF8.GetBytes(text));

    private static byte[] Frame(byte target, byte[] payload)
    {
        return [target, 0, 0, 0, (byte)(payload.Length >> 24), (byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];
    }

    private static byte[] Out(string text) => Frame(StdoutFrame, text);

    private static byte[] Err(string text) => Frame(StderrFrame, text);

    private static async Task<List<LogEntry>> ReadAsync(DockerLogFollower follower, int readSize, bool multiplexed, params byte[][] frames)
    {
        var sink = new ListSink();
        using var stream = new LogFrameReader(new TrickleStream([.. frames.SelectMany(f => f)], readSize), multiplexed);
        await follower.ReadAsync(stream, sink, TestContext.Current.CancellationToken);
        return sink.Entries;
    }

    private static string Text(LogEntry e) => Encoding.UTF8.GetString(e.Line);

    private static string Label(LogEntry e, string name) => e.Stream.Labels.SingleOrDefault(l => l.Name == name).Value ?? "";

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(5)]
    public async Task Demultiplexes_with_docker_timestamps_and_labels_whatever_the_read_sizes(int readSize)
    {
        var compose = new Dictionary<string, string> { ["com.docker.compose.project"] = "shop", ["com.docker.compose.service"] = "web" };
        var entries = await ReadAsync(Follower(Container(labels: compose)), readSize, true,
            Out($"{T1} a 1\n"), Err($"{T2} e 1\r\n"), Out($"{T3} a 2\n"));
        Assert.Equal(["a 1", "e 1", "a 2"], entries.Select(Text));
        Assert.Equal([Ns1, Ns1 + 1, Ns1 + 2], entries.Select(e => e.TimestampNs));
        Assert.Equal(["stdout", "stderr", "stdout"], entries.Select(e => Label(e, "stream")));
        var first = entries[0].Stream.Selector;
        Assert.Equal("{compose_project=\"shop\", compose_service=\"web\", container=\"web-1\", host=\"h1\", image=\"nginx:1.27\", job=\"docker\", stream=\"stdout\"}", first);
        Assert.Same(entries[0].Stream, entries[2].Stream);
    }

    [Fact]
    public async Task A_message_the_engine_split_is_one_line_with_the_first_timestamp()
    {
        var entries = await ReadAsync(Follower(Container()), int.MaxValue, true, Out($"{T1} AAAA"), Err($"{T2} other\n"), Out($"{T3} BBBB\n"));
        Assert.Equal(["other", "AAAABBBB"], entries.Select(Text));
        Assert.Equal(Ns1, entries[1].TimestampNs);
    }

    [Fact]
    public async Task An_unterminated_last_line_is_sent_when_the_stream_ends()
    {
        var entries = await ReadAsync(Follower(Container()), int.MaxValue, true, Out($"{T1} run\n"), Out($"{T2} last words"));
        Assert.Equal(["run", "last words"], entries.Select(Text));
    }

    [Fact]
    public async Task Resuming_skips_what_was_delivered_including_an_unterminated_line_before_the_next_run()
    {
        // since is inclusive: the engine sends the line at the resume instant again.
        var entries = await ReadAsync(Follower(Container(), after: Ns1 + 1), int.MaxValue, true,
            Out($"{T1} old\n"), Out($"{T2} last words"), Out($"{T3} run\n"));
        Assert.Equal(["run"], entries.Select(Text));
        Assert.Equal(Ns1 + 2, entries[0].TimestampNs);
    }

    [Fact]
    public async Task Long_lines_are_cut_with_the_marker_and_invalid_utf8_is_replaced()
    {
        var follower = Follower(Container(), maxLine: 1024);
        var entries = await ReadAsync(follower, 100, true, Out($"{T1} {new string('x', 5000)}\n"), Frame(StdoutFrame, [.. Encoding.UTF8.GetBytes($"{T2} bad "), 0xff, 0xfe, (byte)'\n']));
        Assert.EndsWith(LineText.TruncatedMarker, Text(entries[0]));
        Assert.True(entries[0].Line.Length <= 1024);
        Assert.StartsWith("xxxx", Text(entries[0]));
        Assert.Equal("bad \uFFFD\uFFFD", Text(entries[1]));
        Assert.Equal(1, _metrics.Counter("agent_logs_lines_truncated_total", "").Value);
    }

    [Fact]
    public async Task A_tty_stream_is_raw_and_all_stdout()
    {
        var entries = await ReadAsync(Follower(Container(tty: true)), 7, false, Encoding.UTF8.GetBytes($"{T1} one\r\n{T2} two\r\n"));
        Assert.Equal(["one", "two"], entries.Select(Text));
        Assert.All(entries, e => Assert.Equal("stdout", Label(e, "stream")));
    }

    [Fact]
    public async Task Levels_and_drops_follow_the_source_processing()
    {
        var processor = new LineProcessor([new System.Text.RegularExpressions.Regex("health")], extractLevel: true);
        var entries = await ReadAsync(Follower(Container(), processor: processor), int.MaxValue, true,
            Out($"{T1} {{\"level\":\"WARNING\",\"m\":1}}\n"), Out($"{T2} GET /health\n"), Err($"{T3} plain\n"));
        Assert.Equal(["warn", "unknown"], entries.Select(e => Label(e, "level")));
        Assert.Equal(1, _metrics.Counter("agent_logs_lines_dropped_total", "", new Label("reason", "drop_expression")).Value);
    }

    [Fact]
    public async Task Acknowledgements_move_the_container_position_forward_only()
    {
        var entries = await ReadAsync(Follower(Container()), int.MaxValue, true, Out($"{T1} a\n"), Out($"{T2} b\n"));
        entries[1].Ack!.Acknowledge(entries[1].AckOffset);
        entries[0].Ack!.Acknowledge(entries[0].AckOffset);
        Assert.Equal(Ns1 + 1, _positions.FindContainer("c0ffee"));
    }

    private sealed class ListSink : ILogSink
    {
        public List<LogEntry> Entries { get; } = [];

        public ValueTask WriteAsync(LogEntry entry, CancellationToken ct)
        {
            Entries.Add(entry);
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task A_stopped_container_moves_to_its_finish_only_once_its_last_line_is_acknowledged()
    {
        var follower = Follower(Container());
        var entries = await ReadAsync(follower, int.MaxValue, true, Out($"{T1} a\n"), Out($"{T2} b\n"));
        const long Finished = Ns1 + 10;
        follower.Finished(Finished);
        Assert.Null(_positions.FindContainer("c0ffee"));
        follower.Acknowledge(entries[0].AckOffset);
        Assert.Equal(Ns1, _positions.FindContainer("c0ffee"));
        follower.Acknowledge(entries[1].AckOffset);
        Assert.Equal(Finished, _positions.FindContainer("c0ffee"));
    }

    [Fact]
    public async Task A_stopped_container_with_nothing_new_moves_to_its_finish_at_once()
    {
        var follower = Follower(Container(), after: Ns1);
        Assert.Empty(await ReadAsync(follower, int.MaxValue, true, Out($"{T1} sent before\n")));
        follower.Finished(Ns1 + 5);
        Assert.Equal(Ns1 + 5, _positions.FindContainer("c0ffee"));
    }
}
