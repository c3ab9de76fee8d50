using Agent.Config;
using Agent.Pipeline;
using Agent.Telemetry;
using Microsoft.Extensions.Logging;

namespace Agent.Logs;

/// <summary>
/// Tails every file matching [[logs.files]] globs. A periodic scan is the truth about which
/// files exist; files are tracked by identity (device + inode), so a rename-rotation is seen
/// as the old file draining and a new file appearing, and both are read in full.
/// Files present at the very first start begin at their end; files that appear later, or
/// while the agent was down, are read from the beginning; known files resume at their
/// acknowledged position. Only regular files are opened: a FIFO, socket, device or directory
/// that matches, and a directory that cannot be listed, is reported once (log line and
/// agent_logs_files_skipped_total) and left alone while the rest of the glob is tailed.
/// </summary>
public sealed class FileLogSource : ILogSource
{
    private static readonly TimeSpan DrainQuiet = TimeSpan.FromSeconds(2);
    /// <summary>
    /// How long a copytruncate copy waits for its original's truncation, the only event that says
    /// where the original's content ended. Until then both files hold the same lines and either may
    /// be the one read; this is the inherent race of copytruncate. A copy whose original is not
    /// truncated within the wait (a plain `cp`, or a rotation tool pausing between copy and
    /// truncate) is read from where the original was when the copy was found, so lines the
    /// original reads meanwhile go twice; lines written between the copy and the truncation are in
    /// neither file and cannot be read at all.
    /// </summary>
    private static readonly TimeSpan CopyWait = TimeSpan.FromSeconds(5);

    private readonly List<(FileGlob Glob, Label[] Labels, bool FromBeginning, TailerSettings Settings)> _globs = [];
    private readonly PositionsStore _positions;
    private readonly ILogSink _sink;
    private readonly ILogger _logger;
    private readonly LogCounters _counters;
    private readonly TimeSpan _poll;
    private readonly TimeSpan _scanInterval;
    private readonly List<FileSystemWatcher> _watchers = [];
    private volatile bool _scanRequested;
    private readonly StreamClock _clock = new();
    private readonly Dictionary<string, FileTailer> _tailers = new(StringComparer.Ordinal);
    /// <summary>Paths reported as skipped and still skipped at the last scan: reported again only after they changed.</summary>
    private readonly HashSet<string> _skippedReported = new(StringComparer.Ordinal);
    /// <summary>Recently truncated contents: their first bytes and where reading had got to.</summary>
    private readonly List<(string Fingerprint, long Offset)> _truncated = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public FileLogSource(LogsSection logs, Label[] baseLabels, PositionsStore positions, ILogSink sink,
        SelfMetrics metrics, ILogger logger, TimeSpan? poll = null, TimeSpan? scanInterval = null)
    {
        foreach (var config in logs.Files)
        {
            var own = new List<Label>();
            foreach (var (name, value) in config.Labels) own.Add(new Label(name, value));
            if (!config.Labels.ContainsKey("job")) own.Add(new Label("job", "file"));
            var labels = Labels.Merge(Labels.Sorted(own), baseLabels);
            var fromBeginning = (config.ReadFrom.Length > 0 ? config.ReadFrom : logs.ReadFrom) == "beginning";
            var settings = new TailerSettings(logs.MaxLineSize, logs.PartialLineTimeoutValue,
                config.DropRegexes.Count == 0 && !config.ExtractLevel ? Processing.LineProcessor.None : new Processing.LineProcessor(config.DropRegexes, config.ExtractLevel),
                config.Multiline is { StartRegex: { } start } m ? new Multiline(start, m.MaxLines, m.MaxWaitValue) : null);
            foreach (var pattern in config.Paths) _globs.Add((new FileGlob(pattern, config.Exclude), labels, fromBeginning, settings));
        }
        _positions = positions;
        _sink = sink;
        _logger = logger;
        _counters = new LogCounters(metrics);
        _poll = poll ?? TimeSpan.FromMilliseconds(250);
        _scanInterval = scanInterval ?? TimeSpan.FromSeconds(1);
    }

    /// <summary>How a glob is listed; tests put a rotation between the listing and the opening of what it found.</summary>
    internal Func<FileGlob, CancellationToken, GlobScan> List { get; init; } = static (glob, ct) => glob.Scan(ct);

    public void Start()
    {
        if (_loop is not null) return;
        WatchRoots();
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    /// <summary>
    /// inotify (through FileSystemWatcher) on each glob's root, as a hint that a file appeared or
    /// was renamed: the next scan runs at once. The periodic scan stays the truth, so a root that
    /// cannot be watched (missing, out of watches) only means discovery within a scan interval.
    /// </summary>
    private void WatchRoots()
    {
        foreach (var root in _globs.Select(g => (g.Glob.Root, g.Glob.Recursive)).Distinct())
        {
            // inotify on every directory of the whole file system (/proc included) is no hint worth its cost.
            if (root.Recursive && root.Root == "/") continue;
            try
            {
                if (!Directory.Exists(root.Root)) continue;
                var watcher = new FileSystemWatcher(root.Root)
                {
                    IncludeSubdirectories = root.Recursive,
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName,
                };
                watcher.Created += (_, _) => _scanRequested = true;
                watcher.Renamed += (_, _) => _scanRequested = true;
                watcher.Deleted += (_, _) => _scanRequested = true;
                watcher.EnableRaisingEvents = true;
                _watchers.Add(watcher);
            }
            catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                _logger.LogDebug("not watching {Root} ({Error}); new files are found by the periodic scan", root.Root, ErrorText.Of(e));
            }
        }
    }

    /// <summary>Stops reading; lines already handed to the sink are the exporters' to flush. Idempotent.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested) _stop.Cancel();
        if (_loop is not null)
        {
            try { await _loop; } catch (OperationCanceledException) { }
        }
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        var initial = true;
        var lastScan = DateTime.MinValue;
        var scanTook = TimeSpan.Zero;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // Reading waits while a scan runs: a scan of a huge tree ("/**") runs less often
                // (at most a tenth of the time), so the files found keep being read. The first scan
                // does not count: it pays for code loaded once and positions looked up once, and on
                // a busy host its time would hold the second scan back for many seconds.
                var since = DateTime.UtcNow - lastScan;
                var spacing = scanTook * 10;
                if ((_scanRequested && since >= spacing) || (since >= _scanInterval && since >= spacing))
                {
                    _scanRequested = false;
                    var started = DateTime.UtcNow;
                    Scan(initial, ct);
                    lastScan = DateTime.UtcNow;
                    if (!initial) scanTook = lastScan - started;
                    initial = false;
                }
                // A file cut short by its round is read on at once, after the others had theirs.
                if (!await ReadAllAsync(ct)) await Task.Delay(_poll, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "log file source: unexpected error; continuing");
                await Task.Delay(_poll, ct);
            }
        }
    }

    private void Scan(bool initial, CancellationToken ct)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var skipped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (glob, labels, fromBeginning, settings) in _globs)
        {
            var scan = List(glob, ct);
            foreach (var refused in scan.Skipped) Skip(refused, skipped);
            foreach (var (path, listed) in scan.Files)
            {
                var key = KeyOf(listed, path);
                if (!seen.Add(key)) continue;
                if (_tailers.TryGetValue(key, out var existing))
                {
                    // Back under a matching name (or still there): not draining.
                    existing.Draining = false;
                    existing.CheckReplaced();
                    continue;
                }
                if (!RegularFile.TryOpen(path, out var file, out var refused))
                {
                    seen.Remove(key);
                    // Renamed or deleted since the listing: the next scan sees where it went.
                    if (FileStatus.Of(path).Errno == Enoent) _scanRequested = true;
                    else Skip(refused, skipped);
                    continue;
                }
                // The listing is a moment old, and opening the files before this one took time: a
                // rotation in between puts another file at this path. The tailer is filed under the
                // file it holds; under the listed one it would stand for a file it never reads (lost
                // when found under its new name) and open the one it holds a second time.
                var held = FileIdentity.Of(file.SafeFileHandle);
                if (held.IsKnown && held != listed)
                {
                    seen.Remove(key);
                    _scanRequested = true;
                    key = KeyOf(held, path);
                    if (!seen.Add(key) || _tailers.ContainsKey(key))
                    {
                        file.Dispose();
                        if (_tailers.TryGetValue(key, out existing)) existing.Draining = false;
                        continue;
                    }
                }
                _tailers[key] = Open(path, file, held.IsKnown ? held : listed, labels, initial && !fromBeginning, settings);
            }
        }
        if (initial) ResumeRotatedAway(seen);
        _skippedReported.IntersectWith(skipped);
        var lag = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var tailer in _tailers.Values) lag[tailer.Path] = lag.GetValueOrDefault(tailer.Path) + tailer.Lag;
        _counters.SetFileLag(lag);
        foreach (var (key, tailer) in _tailers)
        {
            if (!seen.Contains(key) && !tailer.Draining)
            {
                tailer.Draining = true;
                _logger.LogInformation("{Path} was rotated or deleted; reading it to the end", tailer.Path);
            }
        }
        _counters.FilesWatched.Set(_tailers.Count);
    }

    private const int Enoent = 2;

    /// <summary>
    /// Files the last run had not read to their end and that were renamed out of every glob before
    /// this start (logrotate's app.log → app.log.1 while the agent was down, or while Loki was and
    /// the file's tail was still unsent): found again by identity among the files of the directory
    /// they were in, and read to their end from the acknowledged offset, under the name they were
    /// read as. A position whose file is gone, or was read to its end, is forgotten.
    /// </summary>
    private void ResumeRotatedAway(HashSet<string> seen)
    {
        foreach (var saved in _positions.Files())
        {
            var identity = new FileIdentity(saved.Device, saved.Inode);
            var key = KeyOf(identity, saved.Path);
            if (!identity.IsKnown || seen.Contains(key) || _tailers.ContainsKey(key)) continue;
            var owner = _globs.FindIndex(g => g.Glob.Matches(saved.Path));
            // No glob selects it any more: the config stopped tailing it, and its position stays for when it comes back.
            if (owner < 0) continue;
            var directory = Path.GetDirectoryName(saved.Path);
            if (directory is null || !TryFindByIdentity(directory, identity, out var moved)) continue;
            if (moved is null)
            {
                _positions.Remove(identity, saved.Path);
                continue;
            }
            if (!RegularFile.TryOpen(moved, out var file, out _)) continue;
            var length = file.Length;
            if (FileIdentity.Of(file.SafeFileHandle) != identity || length <= saved.Offset || !SameContent(saved, file, length))
            {
                file.Dispose();
                if (length == saved.Offset) _positions.Remove(identity, saved.Path);
                continue;
            }
            var (_, labels, _, settings) = _globs[owner];
            _logger.LogInformation("{Path} was rotated to {Moved} before it was read to its end; reading it on from offset {Offset}", saved.Path, moved, saved.Offset);
            var stream = new LogStream(Labels.Merge([new Label("filename", saved.Path)], labels));
            FileTailer tailer = null!;
            tailer = new FileTailer(saved.Path, identity, file, saved.Offset, stream, _positions, _logger, settings)
            {
                Truncated = (fingerprint, offset) => OnTruncated(tailer, fingerprint, offset),
                Draining = true,
            };
            _tailers[key] = tailer;
        }
    }

    /// <summary>The file of <paramref name="identity"/> in <paramref name="directory"/> (null: not there); false when the directory cannot be listed.</summary>
    private static bool TryFindByIdentity(string directory, FileIdentity identity, out string? found)
    {
        found = null;
        try
        {
            foreach (var candidate in Directory.EnumerateFiles(directory))
            {
                if (FileStatus.Of(candidate) is { Kind: FileKind.Regular } status && status.Identity == identity)
                {
                    found = candidate;
                    return true;
                }
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Whether a file's first bytes still begin as (or as much as) those saved with its position.</summary>
    private static bool SameContent(FilePosition saved, FileStream file, long length)
    {
        if (saved.Fingerprint.Length == 0) return true;
        var head = new byte[Math.Min(1024, (int)Math.Min(length, 1024))];
        RandomAccess.Read(file.SafeFileHandle, head, 0);
        var current = FileTailer.Fingerprint(head);
        return current.StartsWith(saved.Fingerprint, StringComparison.Ordinal) || saved.Fingerprint.StartsWith(current, StringComparison.Ordinal);
    }

    private static string KeyOf(FileIdentity identity, string path) => identity.IsKnown ? identity.ToString() : "path:" + path;

    /// <summary>A tailer for a file just opened; <paramref name="identity"/> is that of the handle held.</summary>
    private FileTailer Open(string path, FileStream file, FileIdentity identity, Label[] labels, bool initialFromEnd, TailerSettings settings)
    {
        var length = file.Length;
        long start;
        FileTailer? original = null;
        var saved = _positions.Find(identity, path);
        if (saved is not null)
        {
            start = SameContent(saved, file, length) && saved.Offset <= length ? saved.Offset : 0;
            if (start != saved.Offset) _logger.LogWarning("{Path} changed while the agent was stopped; reading it from the start", path);
        }
        else if (initialFromEnd && _positions.FirstStart)
        {
            start = length;
        }
        else
        {
            Span<byte> buffer = stackalloc byte[1024];
            (start, original) = CopyOffset(FileTailer.Fingerprint(buffer[..RandomAccess.Read(file.SafeFileHandle, buffer, 0)]), path, length);
        }
        _logger.LogInformation("tailing {Path} from offset {Offset}", path, start);
        var stream = new LogStream(Labels.Merge([new Label("filename", path)], labels));
        FileTailer tailer = null!;
        tailer = new FileTailer(path, identity, file, start, stream, _positions, _logger, settings)
        {
            Truncated = (fingerprint, offset) => OnTruncated(tailer, fingerprint, offset),
            CopyOf = original,
        };
        if (saved is null) _positions.Set(identity, path, "", start);
        // Empty now, it may be a copy still being written: what it is shows in its first bytes.
        tailer.AwaitsFirstBytes = saved is null && length == 0 && !(initialFromEnd && _positions.FirstStart);
        return tailer;
    }

    /// <summary>
    /// Content was truncated at <paramref name="offset"/>: a copy already open and waiting on it
    /// starts exactly there; one found later looks the first bytes up in the recent list.
    /// </summary>
    private void OnTruncated(FileTailer truncated, string fingerprint, long offset)
    {
        foreach (var copy in _tailers.Values)
        {
            if (copy.CopyOf != truncated) continue;
            copy.MoveStart(offset);
            copy.CopyOf = null;
            return;
        }
        if (fingerprint.Length == 0) return;
        _truncated.Add((fingerprint, offset));
        if (_truncated.Count > 64) _truncated.RemoveAt(0);
    }

    /// <summary>
    /// A new file that starts with the same bytes as content we were reading is a copytruncate
    /// copy: read it from where that content was left (lines only the copy holds), not from 0
    /// (lines already sent). Anything else new is read from the beginning.
    /// </summary>
    private (long Offset, FileTailer? Original) CopyOffset(string head, string path, long length)
    {
        if (head.Length == 0) return (0, null);
        for (var i = _truncated.Count - 1; i >= 0; i--)
        {
            var (fingerprint, offset) = _truncated[i];
            if (head.StartsWith(fingerprint, StringComparison.Ordinal))
            {
                _truncated.RemoveAt(i);
                return (Math.Min(offset, length), null);
            }
        }
        foreach (var tailer in _tailers.Values)
        {
            // Copied, the original not yet seen truncated: the copy waits for the truncation to say
            // where the original stopped (see OnTruncated); the original's position is the fallback.
            if (tailer.CurrentFingerprint.Length > 0 && head.StartsWith(tailer.CurrentFingerprint, StringComparison.Ordinal)
                && Path.GetDirectoryName(tailer.Path) == Path.GetDirectoryName(path))
            {
                return (Math.Min(tailer.LineStart, length), tailer);
            }
        }
        return (0, null);
    }

    /// <summary>One round: every file reads what is new, up to its round's bytes. True when some file has more.</summary>
    private async Task<bool> ReadAllAsync(CancellationToken ct)
    {
        var more = false;
        List<string>? closed = null;
        List<KeyValuePair<string, FileTailer>>? copies = null;
        foreach (var entry in _tailers)
        {
            if (entry.Value.AwaitsFirstBytes && !FirstBytesArrived(entry.Value)) continue;
            // Copies read after every original had this round's look, so a truncation the original
            // finds now tells its copy where to start before the copy's wait can run out (a source
            // held up longer than the wait, by the sink or the scheduler, must not read it from a guess).
            if (entry.Value.CopyOf is not null) (copies ??= []).Add(entry);
            else if (await ReadDrainedAsync(entry.Value, ct)) (closed ??= []).Add(entry.Key);
        }
        if (copies is not null)
        {
            foreach (var (key, copy) in copies)
            {
                if (copy.CopyOf is { } original)
                {
                    // A copy whose original still runs: the original may yet read the lines the copy
                    // holds, so wait (bounded) for its truncation before reading either way.
                    if (DateTime.UtcNow - copy.CopySince < CopyWait && _tailers.ContainsValue(original)) continue;
                    copy.CopyOf = null;
                }
                if (await ReadDrainedAsync(copy, ct)) (closed ??= []).Add(key);
            }
        }
        foreach (var tailer in _tailers.Values) more |= tailer.MoreToRead;
        if (closed is null) return more;
        foreach (var key in closed)
        {
            var tailer = _tailers[key];
            _tailers.Remove(key);
            tailer.Retire();
            tailer.Dispose();
            _logger.LogInformation("{Path} drained and closed", tailer.Path);
        }
        _counters.FilesWatched.Set(_tailers.Count);
        return more;
    }

    /// <summary>
    /// A new file opened empty, once it has bytes: told apart now as a copytruncate copy (which
    /// starts where its original's content was left, or waits for that) or a new log (read from 0).
    /// Told apart at the open, a copy still being written looks like a new log, and its lines
    /// already sent from the original would go twice.
    /// </summary>
    private bool FirstBytesArrived(FileTailer fresh)
    {
        var head = fresh.PeekFingerprint();
        if (head.Length == 0) return false;
        fresh.AwaitsFirstBytes = false;
        var (offset, original) = CopyOffset(head, fresh.Path, fresh.Length);
        if (offset > 0) fresh.MoveStart(offset);
        fresh.CopyOf = original;
        return true;
    }

    /// <summary>Reads one file's round; true when it was rotated away or deleted and has been read to its end.</summary>
    private async Task<bool> ReadDrainedAsync(FileTailer tailer, CancellationToken ct)
    {
        var read = await tailer.ReadAsync(_sink, _clock, _counters, ct);
        if (!tailer.Draining || read != 0 || DateTime.UtcNow - tailer.LastGrowth <= DrainQuiet) return false;
        await tailer.FlushPartialAsync(_sink, _clock, _counters, ct);
        return true;
    }

    /// <summary>Logged and counted the first time, and again only after the path was fine (or gone) for a scan.</summary>
    private void Skip(SkippedPath refused, HashSet<string> skippedNow)
    {
        skippedNow.Add(refused.Path);
        if (!_skippedReported.Add(refused.Path)) return;
        _counters.Skipped(refused);
        _logger.LogWarning("{Message}", refused.Sentence);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (var tailer in _tailers.Values) tailer.Dispose();
        _tailers.Clear();
        foreach (var watcher in _watchers) watcher.Dispose();
        _stop.Dispose();
    }
}
