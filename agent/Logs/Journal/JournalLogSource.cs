using Agent.Config;
using Agent.Logs.Processing;
using Agent.Pipeline;
using Agent.Telemetry;
using Microsoft.Extensions.Logging;

namespace Agent.Logs.Journal;

/// <summary>
/// Follows the systemd journal through libsystemd's sd_journal on a thread of its own (an
/// sd_journal may only be used by the thread that opened it). Each entry with a MESSAGE becomes
/// one line stamped with the entry's wall-clock time, labelled unit, syslog_identifier,
/// transport and level (from PRIORITY). The position is a cursor, saved only once Loki has
/// acknowledged the entry and every entry before it; a restart seeks to it and skips exactly
/// that entry. A cursor libsystemd refuses, or older than max_age, starts again at
/// now − max_age, logged and counted. libsystemd follows the directory itself: files rotated
/// or vacuumed while being read are read to their end while they are still there.
/// </summary>
public sealed class JournalLogSource : ILogSource, IAckTarget
{
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(30);
    /// <summary>
    /// libsystemd maps journal files in 8 MiB windows and keeps up to 64 of them: after a
    /// catch-up through a large journal, hundreds of MiB of it would stay mapped (resident
    /// file pages in the agent's RSS) while it follows the tail. Closed and reopened at the
    /// last entry read once caught up after this many entries, only the tail stays mapped.
    /// </summary>
    private const int DefaultReopenAfter = 20_000;

    private readonly LibSystemd _lib;
    private readonly JournalLogsSection _config;
    private readonly string _where;
    private readonly bool _fromBeginning;
    private readonly int _maxLineBytes;
    private readonly LineProcessor _processor;
    private readonly PositionsStore _positions;
    private readonly ILogSink _sink;
    private readonly ILogger _logger;
    private readonly LogCounters _counters;
    private readonly SelfMetrics _metrics;
    private readonly TimeSpan _poll;
    private readonly int _reopenAfter;
    private readonly JournalStreams _streams;
    private readonly JournalFields _fields;
    private readonly PendingCursors _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>The last entry read (handed over or not): where a reopened journal continues.</summary>
    private JournalCursor _lastRead;
    private Thread? _thread;

    internal JournalLogSource(LibSystemd lib, LogsSection logs, Label[] baseLabels, PositionsStore positions, ILogSink sink,
        SelfMetrics metrics, ILogger logger, TimeSpan? poll = null, int reopenAfter = DefaultReopenAfter)
    {
        _lib = lib;
        _config = logs.Journal;
        _where = _config.Path.Length == 0 ? "the system journal" : _config.Path;
        _fromBeginning = (_config.ReadFrom.Length > 0 ? _config.ReadFrom : logs.ReadFrom) == "beginning";
        _maxLineBytes = logs.MaxLineSize;
        _processor = _config.DropRegexes.Count == 0 && !_config.ExtractLevel ? LineProcessor.None : new LineProcessor(_config.DropRegexes, _config.ExtractLevel);
        var own = new List<Label>();
        foreach (var (name, value) in _config.Labels) own.Add(new Label(name, value));
        if (!_config.Labels.ContainsKey("job")) own.Add(new Label("job", "journal"));
        _streams = new JournalStreams(Labels.Merge(Labels.Sorted(own), baseLabels));
        _fields = new JournalFields(_maxLineBytes);
        _positions = positions;
        _sink = sink;
        _metrics = metrics;
        _logger = logger;
        _counters = new LogCounters(metrics);
        _poll = poll ?? TimeSpan.FromMilliseconds(250);
        _reopenAfter = reopenAfter;
    }

    /// <summary>The source, or null (logged) when this host has no libsystemd: everything else runs.</summary>
    public static ILogSource? Create(LogSourceContext context)
    {
        var logger = context.Loggers.CreateLogger("logs.journal");
        if (LibSystemd.TryLoad(out var why) is not { } lib)
        {
            logger.LogWarning("[logs.journal] is enabled but the journal cannot be read here: {Why}", why);
            return null;
        }
        return new JournalLogSource(lib, context.Config.Logs, context.BaseLabels, context.Positions, context.Sink, context.Metrics, logger);
    }

    /// <summary>The journal path this source keeps its cursor under ("" for the system journal).</summary>
    private string Key => _config.Path;

    public void Start()
    {
        if (_thread is not null) return;
        _thread = new Thread(Run) { IsBackground = true, Name = "journal" };
        _thread.Start();
    }

    private void Run()
    {
        var ct = _stop.Token;
        var retry = TimeSpan.FromSeconds(1);
        var reported = false;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    using var journal = JournalHandle.Open(_lib, _config.Path);
                    foreach (var term in _config.Matches)
                    {
                        if (term == "+") journal.AddDisjunction();
                        else journal.AddMatch(term);
                    }
                    // Room for the field name: MESSAGE beyond max_line_size is cut anyway, so not decompressed past it.
                    journal.SetDataThreshold(_maxLineBytes + 64);
                    var current = Seek(journal);
                    if (reported) _logger.LogInformation("reading {Where} again", _where);
                    reported = false;
                    retry = TimeSpan.FromSeconds(1);
                    Follow(journal, current, ct);
                    // Caught up after many entries: reopened (above) just after the last one read.
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One line per outage, not one per retry. A failing call names itself; anything else is ours.
                    if (!reported && e is JournalException) _logger.LogWarning("{Where}: {Error}; retrying", _where, e.Message);
                    else if (!reported) _logger.LogError(e, "{Where}: unexpected error; retrying", _where);
                    reported = true;
                    if (ct.WaitHandle.WaitOne(retry)) break;
                    retry = retry * 2 > MaxRetry ? MaxRetry : retry * 2;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the sink gave up waiting, or a wait was cut short.
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    /// <summary>
    /// Positions a freshly opened journal: after the last entry read (a reopen), else after the
    /// acknowledged cursor, else where a source without one begins. Returns true when the
    /// journal already stands on an entry that must still be sent.
    /// </summary>
    private bool Seek(JournalHandle journal)
    {
        if (!_lastRead.IsEmpty) return SeekAfter(journal, _lastRead.ToString(), checkAge: false);
        var saved = _positions.FindJournal(Key);
        if (saved is null && _positions.FirstStart && !_fromBeginning)
        {
            journal.SeekTail();
            var cursor = journal.Previous() ? journal.Cursor(default) : default;
            _lastRead = cursor;
            // Saved at once: a crash before the first acknowledgement must not make the next start
            // a first start again, which would skip what was written in between.
            _positions.SetJournal(Key, cursor.ToString());
            _positions.Save();
            _logger.LogInformation("reading {Where} from its end (first start)", _where);
            return false;
        }
        if (string.IsNullOrEmpty(saved))
        {
            SeekMaxAge(journal);
            _logger.LogInformation("reading {Where} from {MaxAge} ago", _where, _config.MaxAge);
            return false;
        }
        return SeekAfter(journal, saved, checkAge: true);
    }

    private bool SeekAfter(JournalHandle journal, string cursor, bool checkAge)
    {
        var oldest = DateTimeOffset.UtcNow - _config.MaxAgeValue;
        if (checkAge && JournalCursor.Parse(cursor).RealtimeUsec is { } at && (long)at < oldest.ToUnixTimeMilliseconds() * 1000)
        {
            Reset(journal, "too_old", $"the saved cursor is older than max_age ({_config.MaxAge})");
            return false;
        }
        if (!journal.SeekCursor(cursor))
        {
            Reset(journal, "invalid", "libsystemd refuses the saved cursor");
            return false;
        }
        if (checkAge) _logger.LogInformation("reading {Where} after the acknowledged cursor", _where);
        if (!journal.Next()) return false;
        // The entry at the cursor was delivered: skip exactly it. When it is gone (vacuumed), the
        // entry found instead is the first one after it, not yet sent.
        return !journal.IsAt(cursor);
    }

    private void Reset(JournalHandle journal, string reason, string why)
    {
        _metrics.Counter("agent_logs_journal_cursor_resets_total",
            "Journal cursors not resumed from (refused by libsystemd, or older than max_age): reading began at now - max_age instead.",
            new Label("reason", reason)).Add();
        _logger.LogWarning("{Where}: {Why}; reading from {MaxAge} ago", _where, why, _config.MaxAge);
        SeekMaxAge(journal);
    }

    private void SeekMaxAge(JournalHandle journal) =>
        journal.SeekRealtime((ulong)(DateTimeOffset.UtcNow - _config.MaxAgeValue).ToUnixTimeMilliseconds() * 1000);

    /// <summary>
    /// Reads every entry as it comes; waits on the journal (inotify, through libsystemd) when
    /// caught up. Returns when caught up after reopenAfter entries, for a reopen that unmaps
    /// what was read.
    /// </summary>
    private void Follow(JournalHandle journal, bool current, CancellationToken ct)
    {
        var read = 0;
        while (!ct.IsCancellationRequested)
        {
            if (!current && !journal.Next())
            {
                if (read >= _reopenAfter) return;
                journal.Wait(_poll);
                continue;
            }
            current = false;
            read++;
            if (Read(journal) is not { } entry) continue;
            var write = _sink.WriteAsync(entry, ct);
            // This thread is the journal's own: waiting here while the exporters are full is the back-pressure.
            if (!write.IsCompletedSuccessfully) write.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The current entry as a line to send, or null when it has no MESSAGE or a drop expression matches.</summary>
    private LogEntry? Read(JournalHandle journal)
    {
        var cursor = journal.Cursor(_lastRead);
        _lastRead = cursor;
        var realtime = journal.Realtime();
        _fields.Clear();
        journal.RestartFields();
        while (journal.NextField(out var field)) _fields.Take(field);
        // An entry without MESSAGE (some audit and coredump records) is metadata, not a line.
        if (!_fields.HasMessage) return null;
        _counters.LinesRead.Add();
        _counters.BytesRead.Add(_fields.MessageLength);
        var truncated = _fields.MessageCut;
        if (truncated) _counters.LinesTruncated.Add();
        var text = LineText.Cut(_fields.Message, truncated, _maxLineBytes);
        var level = _processor.ExtractLevel ? LevelParser.Parse(text) : LevelParser.Unknown;
        if (level == LevelParser.Unknown) level = JournalFields.Level(_fields.Priority);
        var line = LineText.ValidUtf8(text, truncated);
        if (_processor.Drops(line))
        {
            // Not sent; its cursor is covered by the next delivered entry's acknowledgement.
            _counters.LinesDropped.Add();
            return null;
        }
        var stream = _streams.For(_fields, level);
        var timestamp = (long)realtime * 1000;
        // Loki keeps one of two entries with the same stream, time and text: entries sharing a
        // microsecond get the nanoseconds after it.
        if (timestamp <= stream.LastNs && timestamp / 1000 == stream.LastNs / 1000) timestamp = stream.LastNs + 1;
        stream.LastNs = timestamp;
        return new LogEntry(stream.Stream, timestamp, line, this, _pending.Add(cursor));
    }

    /// <summary>Loki took entry <paramref name="offset"/> (a sequence number): the cursor moves when everything before it is settled too.</summary>
    public void Acknowledge(long offset)
    {
        if (_pending.Settle(offset, out var committed)) _positions.SetJournal(Key, committed.ToString());
    }

    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested) _stop.Cancel();
        if (_thread is not null) await _stopped.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
