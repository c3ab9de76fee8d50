using System.Buffers;
using Agent.Docker.Engine;
using Agent.Docker;
using Agent.Logs.Processing;
using Agent.Pipeline;

namespace Agent.Logs.Docker;

/// <summary>
/// One container's log, read through the engine's logs API (follow, timestamps, both outputs)
/// from just after a known instant. Lines carry Docker's own timestamps; that timestamp is
/// also the position: the store keeps the last one Loki acknowledged, so a restart asks the
/// engine for what came after it. A full sink makes WriteAsync wait and reading stops; the
/// engine keeps the log meanwhile. A container that stopped is read to the end without
/// following; once its last line is acknowledged the position moves to the instant it
/// finished, so a restarted agent knows there is nothing more to read from it.
/// </summary>
public sealed class DockerLogFollower : IAckTarget
{
    private const int ReadSize = 64 * 1024;
    /// <summary>Room for the timestamp and its space before the text that max_line_size applies to.</summary>
    private const int TimestampRoom = 64;

    private readonly PositionsStore _positions;
    private readonly LogCounters _counters;
    private readonly DockerLogSettings _settings;
    private readonly bool _tty;
    private readonly LogStream _stdout, _stderr;
    private readonly Dictionary<string, LogStream> _stdoutLevels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LogStream> _stderrLevels = new(StringComparer.Ordinal);
    private readonly LineSplitter _stdoutLines, _stderrLines;
    private readonly LineHandler _onStdout, _onStderr;
    private readonly List<LogEntry> _ready = [];
    private long _after;
    private long _resumeAfter;
    private long _cursor;
    private readonly Lock _ackGate = new();
    /// <summary>Timestamp of the last line handed to the sink, and the highest acknowledged.</summary>
    private long _lastSent, _acked;
    /// <summary>Set when the container stopped and its log was read to the end: its finish instant (Unix ns).</summary>
    private long _finishedNs;

    /// <param name="after">Lines stamped at or before this instant (Unix ns) were delivered or are not wanted; 0 reads the whole log.</param>
    public DockerLogFollower(ContainerRecord container, Label[] sourceLabels, DockerLogSettings settings, long after,
        PositionsStore positions, LogCounters counters)
    {
        Id = container.Id;
        Name = container.Name;
        _tty = container.Tty;
        _settings = settings;
        _positions = positions;
        _counters = counters;
        _after = after;
        _lastSent = after;
        _acked = after;
        var labels = Labels.Merge(ContainerLabels(container), sourceLabels);
        _stdout = new LogStream(Labels.Merge([new Label("stream", "stdout")], labels));
        _stderr = new LogStream(Labels.Merge([new Label("stream", "stderr")], labels));
        _stdoutLines = new LineSplitter(settings.MaxLineBytes + TimestampRoom);
        _stderrLines = new LineSplitter(settings.MaxLineBytes + TimestampRoom);
        _onStdout = (line, cut) => OnLine(line, cut, stderr: false);
        _onStderr = (line, cut) => OnLine(line, cut, stderr: true);
    }

    public string Id { get; }

    public string Name { get; }

    /// <summary>
    /// container, image and the compose project/service: labels that name what runs, never
    /// per-instance facts (ids, start times), so a redeployed service continues its streams.
    /// </summary>
    private static Label[] ContainerLabels(ContainerRecord container)
    {
        var labels = new List<Label>(4) { new("container", container.Name) };
        if (container.Image.Length > 0) labels.Add(new Label("image", container.Image));
        if (container.Labels.TryGetValue("com.docker.compose.project", out var project) && project.Length > 0)
        {
            labels.Add(new Label("compose_project", project));
        }
        if (container.Labels.TryGetValue("com.docker.compose.service", out var service) && service.Length > 0)
        {
            labels.Add(new Label("compose_service", service));
        }
        return Labels.Sorted(labels);
    }

    /// <summary>
    /// Reads until the container stops (the engine ends the stream) or <paramref name="ct"/> fires;
    /// without <paramref name="follow"/> (a container that is not running) only up to the log's end.
    /// </summary>
    public async Task FollowAsync(DockerSession session, ILogSink sink, bool follow, CancellationToken ct)
    {
        using var stream = await session.LogsAsync(Id, _tty, follow, _after > 0 ? DockerTimestamp.Since(_after) : null, ct);
        await ReadAsync(stream, sink, ct);
    }

    /// <summary>Hands every line of a logs stream (opened from where this follower stands) to the sink until the stream ends.</summary>
    public async Task ReadAsync(LogFrameReader stream, ILogSink sink, CancellationToken ct)
    {
        // What an earlier, failed follow left half read comes again from the engine.
        _ready.Clear();
        _stdoutLines.Discard();
        _stderrLines.Discard();
        _resumeAfter = _after;
        _cursor = _after;
        var buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            while (true)
            {
                var (count, output) = await stream.ReadAsync(buffer.AsMemory(0, ReadSize), ct);
                if (count == 0)
                {
                    // The container stopped: a last line without its newline is complete now.
                    _stdoutLines.Flush(_onStdout);
                    _stderrLines.Flush(_onStderr);
                    await SendReadyAsync(sink, ct);
                    return;
                }
                _counters.BytesRead.Add(count);
                if (output == LogOutput.Stderr) Feed(_stderrLines, buffer.AsSpan(0, count), _onStderr);
                else Feed(_stdoutLines, buffer.AsSpan(0, count), _onStdout);
                await SendReadyAsync(sink, ct);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Each engine frame is one log message, "&lt;timestamp&gt; &lt;text&gt;". A message without a newline
    /// (a line the engine split at 16 KiB, output that ended unterminated) continues in the next
    /// one, so that one's timestamp is dropped and the line keeps the first — unless the
    /// unfinished part was delivered already: a follow that ended sent it, and the engine sends
    /// it again (since is inclusive) before the next run's first line, which must stand alone.
    /// Frames and reads share their boundaries, so a new message can only begin a read.
    /// </summary>
    private void Feed(LineSplitter lines, ReadOnlySpan<byte> data, LineHandler onLine)
    {
        if (lines.Pending > 0 && DockerTimestamp.TryParse(data, out _, out var consumed)
            && DockerTimestamp.TryParse(lines.PendingBytes, out var pendingTimestamp, out _))
        {
            if (pendingTimestamp <= _resumeAfter) lines.Discard();
            else data = data[consumed..];
        }
        lines.Feed(data, onLine);
    }

    private async ValueTask SendReadyAsync(ILogSink sink, CancellationToken ct)
    {
        foreach (var entry in _ready)
        {
            lock (_ackGate) _lastSent = Math.Max(_lastSent, entry.AckOffset);
            await sink.WriteAsync(entry, ct);
        }
        _ready.Clear();
        // Only lines handed over count as read: a follow that failed half way resumes here.
        _after = _cursor;
    }

    private void OnLine(ReadOnlySpan<byte> raw, bool cut, bool stderr)
    {
        if (!DockerTimestamp.TryParse(raw, out var timestamp, out var consumed))
        {
            // Not what timestamps=true produces; keep the line, stamped just after the previous one.
            timestamp = _cursor + 1;
            consumed = 0;
        }
        // The engine's since is inclusive, so the line at the resume instant comes again. Only that
        // bound filters: stdout and stderr are stamped by separate copiers, so the two may
        // interleave slightly out of time order in the log, and each such line is still new.
        if (timestamp <= _resumeAfter) return;
        _cursor = Math.Max(_cursor, timestamp);
        _counters.LinesRead.Add();
        var text = raw[consumed..];
        var truncated = cut || text.Length > _settings.MaxLineBytes;
        if (truncated) _counters.LinesTruncated.Add();
        text = LineText.Cut(text, truncated, _settings.MaxLineBytes);
        var stream = _settings.Processor.ExtractLevel ? LevelStream(stderr, LevelParser.Parse(text)) : stderr ? _stderr : _stdout;
        var line = LineText.ValidUtf8(text, truncated);
        if (_settings.Processor.Drops(line))
        {
            // Not sent; its timestamp is covered by the next delivered line's acknowledgement.
            _counters.LinesDropped.Add();
            return;
        }
        _ready.Add(new LogEntry(stream, timestamp, line, this, timestamp));
    }

    private LogStream LevelStream(bool stderr, string level)
    {
        var cache = stderr ? _stderrLevels : _stdoutLevels;
        if (cache.TryGetValue(level, out var stream)) return stream;
        stream = new LogStream(Labels.Merge([new Label("level", level)], (stderr ? _stderr : _stdout).Labels));
        cache[level] = stream;
        return stream;
    }

    /// <summary>Loki took every line up to this timestamp.</summary>
    public void Acknowledge(long offset)
    {
        _positions.AdvanceContainer(Id, Name, offset);
        long finished;
        lock (_ackGate)
        {
            _acked = Math.Max(_acked, offset);
            finished = _acked >= _lastSent ? _finishedNs : 0;
        }
        if (finished > 0) _positions.AdvanceContainer(Id, Name, finished);
    }

    /// <summary>
    /// The container stopped at <paramref name="finishedNs"/> and its log was read to the end:
    /// once every line handed over is acknowledged (now, if they are), the position moves there.
    /// </summary>
    public void Finished(long finishedNs)
    {
        if (finishedNs <= 0) return;
        bool now;
        lock (_ackGate)
        {
            _finishedNs = finishedNs;
            now = _acked >= _lastSent;
        }
        if (now) _positions.AdvanceContainer(Id, Name, finishedNs);
    }
}

/// <summary>How container lines are cut and processed (from [logs] and [logs.docker]).</summary>
public sealed record DockerLogSettings(int MaxLineBytes, LineProcessor Processor);
