using System.Text;
using Agent.Logs;
using Agent.Logs.Processing;
using Agent.Pipeline;
using Agent.Telemetry;
using Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Agent.Tests.Logs;

/// <summary>One tailer driven round by round, with the file changed at exact points of a read.</summary>
public sealed class FileTailerTests : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-tailer-").FullName;
    private readonly PositionsStore _positions;
    private readonly LogCounters _counters = new(new SelfMetrics());
    private readonly StreamClock _clock = new();
    private readonly List<(string Fingerprint, long Offset)> _truncated = [];

    public FileTailerTests() => _positions = new PositionsStore(Path.Combine(_dir, "data"), NullLogger.Instance);

    private string LogPath => Path.Combine(_dir, "app.log");

    public async ValueTask DisposeAsync()
    {
        await _positions.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static byte[] Lines(string prefix, int count)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < count; i++) sb.Append($"{prefix}-{i:D5} {new string('p', i % 90)}\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private FileTailer Tail()
    {
        Assert.True(RegularFile.TryOpen(LogPath, out var file, out _));
        var settings = new TailerSettings(256 * 1024, TimeSpan.FromSeconds(30), LineProcessor.None);
        return new FileTailer(LogPath, FileIdentity.Of(file.SafeFileHandle), file, 0, new LogStream([new Label("job", "t")]), _positions, NullLogger.Instance, settings)
        {
            Truncated = (fingerprint, offset) => _truncated.Add((fingerprint, offset)),
        };
    }

    /// <summary>Rounds until one reads nothing.</summary>
    private async Task ReadToEndAsync(FileTailer tailer, ILogSink sink)
    {
        while (await tailer.ReadAsync(sink, _clock, _counters, CancellationToken.None) > 0)
        {
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_file_truncated_and_refilled_while_the_sink_holds_a_read_sends_no_byte_of_the_refill_as_the_old_tail(bool emptyWhenOpened)
    {
        // 2,000 lines are about 120 KiB: two reads. During the first one's lines the file is cut and
        // refilled past that first read, as copytruncate and a busy writer do between two reads.
        var old = Lines("a", 2000);
        var refill = Lines("b", 3000);
        File.WriteAllBytes(LogPath, emptyWhenOpened ? [] : old);
        using var tailer = Tail();
        if (emptyWhenOpened) File.WriteAllBytes(LogPath, old);
        var sink = new ListLogSink
        {
            OnLine = line =>
            {
                if (line.StartsWith("a-00010 ", StringComparison.Ordinal)) File.WriteAllBytes(LogPath, refill);
            },
        };

        await ReadToEndAsync(tailer, sink);

        // The first read's whole lines were read before the cut, and are the old content's; the rest
        // of the old content is the copy's to send, from where the tailer says it stopped.
        var firstRead = old.AsSpan(0, 64 * 1024);
        var sentOld = firstRead.Count((byte)'\n');
        var stoppedAt = firstRead.LastIndexOf((byte)'\n') + 1;
        var expected = Enumerable.Range(0, sentOld).Select(i => $"a-{i:D5} {new string('p', i % 90)}")
            .Concat(Enumerable.Range(0, 3000).Select(i => $"b-{i:D5} {new string('p', i % 90)}"));
        Assert.Equal(expected, sink.Lines);
        Assert.Equal([(FileTailer.Fingerprint(old.AsSpan(0, 1024)), (long)stoppedAt)], _truncated);
    }

    [Fact]
    public async Task A_file_replaced_between_the_open_and_the_first_read_is_read_as_the_new_content_and_the_old_is_handed_on_from_zero()
    {
        File.WriteAllBytes(LogPath, Lines("a", 3));
        using var tailer = Tail();
        File.WriteAllBytes(LogPath, Lines("b", 2000));
        var sink = new ListLogSink();

        await ReadToEndAsync(tailer, sink);

        Assert.Equal(Enumerable.Range(0, 2000).Select(i => $"b-{i:D5} {new string('p', i % 90)}"), sink.Lines);
        Assert.Equal([(FileTailer.Fingerprint(Lines("a", 3)), 0L)], _truncated);
    }

    [Fact]
    public async Task One_round_reads_at_most_its_share_of_a_big_backlog_and_says_there_is_more()
    {
        var backlog = Lines("a", 40_000);
        Assert.True(backlog.Length > 2 * FileTailer.RoundBytes);
        File.WriteAllBytes(LogPath, backlog);
        using var tailer = Tail();
        var sink = new ListLogSink();

        var rounds = new List<(long Read, bool More)>();
        do rounds.Add((await tailer.ReadAsync(sink, _clock, _counters, CancellationToken.None), tailer.MoreToRead));
        while (tailer.MoreToRead);

        Assert.All(rounds[..^1], r => Assert.Equal((FileTailer.RoundBytes, true), r));
        Assert.Equal(backlog.Length, rounds.Sum(r => r.Read));
        Assert.Equal(40_000, sink.Entries.Count);
    }
}
