using System.Buffers;
using System.Text;
using Agent.Logs.Processing;
using Agent.Pipeline;
using Microsoft.Extensions.Logging;

namespace Agent.Logs;

/// <summary>
/// One open log file, followed through its handle (so a renamed file is drained, not lost).
/// Hands complete lines to the sink; the position it saves moves only when the sink
/// acknowledges a line (IAckTarget), never when it is merely read.
/// </summary>
public sealed class FileTailer : IDisposable
{
    private const int ReadSize = 64 * 1024;
    private const int FingerprintSize = 1024;

    /// <summary>
    /// At most this much of one file per round, so that one big backlog (a file found late, a
    /// drain after an outage) holds up neither the other files nor the scan.
    /// </summary>
    public const int RoundBytes = 1024 * 1024;

    private readonly FileStream _file;
    private readonly PositionsStore _positions;
    private readonly ILogger _logger;
    private readonly TailerSettings _settings;
    private readonly ArrayBufferWriter<byte> _partial = new(256);
    private readonly Dictionary<string, LogStream> _levelStreams = new(StringComparer.Ordinal);
    private long _lineStart;
    private long _lineBytes;
    private long _acked;
    private readonly byte[] _head = new byte[FingerprintSize];
    private int _headLength;
    private string _fingerprint = "";
    private Generation _generation;
    private ArrayBufferWriter<byte>? _group;
    private LogStream _groupStream = null!;
    private int _groupLines;
    private long _groupStart;
    private long _groupEnd;
    private DateTime _groupLast;

    public FileTailer(string path, FileIdentity identity, FileStream file, long startOffset, LogStream stream,
        PositionsStore positions, ILogger logger, TailerSettings settings)
    {
        Path = path;
        Identity = identity;
        _file = file;
        Stream = stream;
        _positions = positions;
        _logger = logger;
        _settings = settings;
        _lineStart = startOffset;
        _acked = startOffset;
        _generation = new Generation(this);
        LastGrowth = DateTime.UtcNow;
        TakeHead();
    }

    public string Path { get; }
    public FileIdentity Identity { get; }
    public LogStream Stream { get; }

    /// <summary>The last round stopped at <see cref="RoundBytes"/> with more to read.</summary>
    public bool MoreToRead { get; private set; }

    /// <summary>Opened empty and not read yet: whether it is a copy is decided on its first bytes.</summary>
    public bool AwaitsFirstBytes { get; set; }

    /// <summary>Rotated away or deleted: read to the end, then close.</summary>
    public bool Draining { get; set; }

    public DateTime LastGrowth { get; private set; }

    /// <summary>
    /// Told (old first bytes, offset of the first unsent line) when the file is truncated, so
    /// that a copytruncate copy found later is read from where this file left off.
    /// </summary>
    public Action<string, long>? Truncated { get; init; }

    /// <summary>The still-running original this file was copied from (copytruncate), until its truncation.</summary>
    public FileTailer? CopyOf
    {
        get;
        set
        {
            field = value;
            if (value is not null) CopySince = DateTime.UtcNow;
        }
    }

    /// <summary>When this file was found to be a copy of <see cref="CopyOf"/>: its wait for the truncation starts then.</summary>
    public DateTime CopySince { get; private set; }

    /// <summary>Where reading starts, for a copy told by its original's truncation; only before anything was read.</summary>
    public void MoveStart(long offset)
    {
        if (_lineBytes > 0 || _lineStart != Interlocked.Read(ref _acked)) return;
        _lineStart = Math.Min(offset, Math.Max(0, _file.Length));
        Interlocked.Exchange(ref _acked, _lineStart);
        _positions.Set(Identity, Path, _fingerprint, _lineStart);
    }

    /// <summary>Bytes of the file not yet read (lag).</summary>
    public long Lag
    {
        get
        {
            try { return Math.Max(0, _file.Length - _lineStart - _lineBytes); }
            catch (IOException) { return 0; }
        }
    }

    /// <summary>The first bytes of the content being read (hex).</summary>
    public string CurrentFingerprint => _fingerprint;

    /// <summary>Where the next unsent line starts.</summary>
    public long LineStart => _lineStart;

    /// <summary>The first bytes of a file, hex; equal prefixes mean the same content start.</summary>
    public static string Fingerprint(ReadOnlySpan<byte> head) => Convert.ToHexString(head);

    /// <summary>The file's first bytes as they are now (hex), without taking them as the content's.</summary>
    public string PeekFingerprint()
    {
        Span<byte> buffer = stackalloc byte[FingerprintSize];
        return Fingerprint(buffer[..RandomAccess.Read(_file.SafeFileHandle, buffer, 0)]);
    }

    /// <summary>The file's size now (0 when it cannot be told).</summary>
    public long Length
    {
        get
        {
            try { return _file.Length; }
            catch (IOException) { return 0; }
        }
    }

    /// <summary>Remembers the file's first bytes as they are now: the content being read.</summary>
    private void TakeHead()
    {
        _headLength = RandomAccess.Read(_file.SafeFileHandle, _head, 0);
        _fingerprint = Fingerprint(_head.AsSpan(0, _headLength));
    }

    /// <summary>
    /// copytruncate that refilled the file past our offset between two looks: the size check
    /// cannot see it, the first bytes can. Checked on each scan, and after every read.
    /// </summary>
    public void CheckReplaced()
    {
        if (_headLength > 0) RestartIfReplaced();
    }

    /// <summary>Starts over when the file no longer begins with the first bytes of the content being read.</summary>
    private bool RestartIfReplaced()
    {
        Span<byte> current = stackalloc byte[FingerprintSize];
        current = current[..RandomAccess.Read(_file.SafeFileHandle, current, 0)];
        if (current.StartsWith(_head.AsSpan(0, _headLength))) return false;
        _logger.LogWarning("{Path} was truncated and rewritten (its first bytes changed); reading it again from the start", Path);
        Restart();
        return true;
    }

    /// <summary>
    /// Whether <paramref name="chunk"/>, just read at <paramref name="offset"/>, continues the
    /// content being read; if not, reading starts over (see <see cref="Restart"/>). The first bytes
    /// remembered are checked against, and grown from, the bytes this tailer reads itself, so they
    /// describe the very content it sends: grown from a separate look at the file they could already
    /// be the next content's, and the earlier bytes read taken for its beginning. After the
    /// read, the file must still begin with them: copytruncate can cut and refill the file at any
    /// moment before (while the sink made us wait, or between the size check and the read), and the
    /// refill's middle taken for our tail would send a torn line, move our offset past lines never
    /// sent, and so start the copy after them. Bytes that fail are dropped unsent: the copy holds
    /// them, from the offset Restart hands on.
    /// </summary>
    private bool Continues(ReadOnlySpan<byte> chunk, long offset)
    {
        if (offset < FingerprintSize && offset <= _headLength)
        {
            var start = (int)offset;
            var inHead = chunk[..Math.Min(chunk.Length, FingerprintSize - start)];
            var known = Math.Min(_headLength - start, inHead.Length);
            if (!inHead[..known].SequenceEqual(_head.AsSpan(start, known)))
            {
                _logger.LogWarning("{Path} was replaced before it was read (its first bytes changed); reading it again from the start", Path);
                Restart();
                return false;
            }
            if (inHead.Length > known)
            {
                inHead[known..].CopyTo(_head.AsSpan(_headLength));
                _headLength = start + inHead.Length;
                _fingerprint = Fingerprint(_head.AsSpan(0, _headLength));
            }
        }
        return !RestartIfReplaced();
    }

    private void Restart()
    {
        // A multiline entry still being joined is read again from the copy, if one turns up.
        Truncated?.Invoke(_fingerprint, _group is null ? _lineStart : _groupStart);
        _group = null;
        // Acknowledgements still in flight belong to the old content: they must not move the new position.
        _generation = new Generation(this);
        _partial.ResetWrittenCount();
        _lineStart = 0;
        _lineBytes = 0;
        Interlocked.Exchange(ref _acked, 0);
        TakeHead();
        _positions.Set(Identity, Path, _fingerprint, 0);
    }

    /// <summary>
    /// Reads what is new, at most <see cref="RoundBytes"/>, and writes every complete line to the
    /// sink. Returns the bytes read; <see cref="MoreToRead"/> says whether the round cut it short.
    /// </summary>
    public async Task<long> ReadAsync(ILogSink sink, StreamClock clock, LogCounters counters, CancellationToken ct)
    {
        MoreToRead = false;
        long length;
        try
        {
            length = _file.Length;
        }
        catch (IOException)
        {
            return 0;
        }
        var readFrom = _lineStart + _lineBytes;
        if (length < readFrom)
        {
            // copytruncate or "> file": everything after the cut is new content from offset 0.
            _logger.LogWarning("{Path} was truncated ({Length} < {Offset} bytes); reading it again from the start", Path, length, readFrom);
            Restart();
            readFrom = 0;
        }
        if (length == readFrom)
        {
            // A last line without its newline is sent once the writer has been quiet long enough.
            if (_lineBytes > 0 && DateTime.UtcNow - LastGrowth >= _settings.PartialLineTimeout) await EmitAsync(sink, clock, counters, complete: false, ct);
            if (_group is not null && DateTime.UtcNow - _groupLast >= _settings.Multiline!.MaxWait) await FlushGroupAsync(sink, clock, counters, ct);
            return 0;
        }
        LastGrowth = DateTime.UtcNow;
        var buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        long total = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (total >= RoundBytes)
                {
                    MoreToRead = true;
                    break;
                }
                var n = await RandomAccess.ReadAsync(_file.SafeFileHandle, buffer.AsMemory(0, ReadSize), readFrom, ct);
                if (n == 0) break;
                if (!Continues(buffer.AsSpan(0, n), readFrom))
                {
                    readFrom = 0;
                    continue;
                }
                readFrom += n;
                total += n;
                await SplitAsync(buffer.AsMemory(0, n), sink, clock, counters, ct);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        counters.BytesRead.Add(total);
        return total;
    }

    private async Task SplitAsync(ReadOnlyMemory<byte> chunk, ILogSink sink, StreamClock clock, LogCounters counters, CancellationToken ct)
    {
        while (!chunk.IsEmpty)
        {
            var nl = chunk.Span.IndexOf((byte)'\n');
            Append(nl < 0 ? chunk.Span : chunk.Span[..nl]);
            if (nl < 0) return;
            _lineBytes++;
            await EmitAsync(sink, clock, counters, complete: true, ct);
            chunk = chunk[(nl + 1)..];
        }
    }

    /// <summary>Keeps at most max_line_size bytes of a line in memory; the rest only counts toward the offset.</summary>
    private void Append(ReadOnlySpan<byte> bytes)
    {
        var room = _settings.MaxLineBytes - _partial.WrittenCount;
        if (room > 0) _partial.Write(bytes.Length <= room ? bytes : bytes[..room]);
        _lineBytes += bytes.Length;
    }

    /// <summary>Sends the current line (complete, or cut short by the partial-line timeout or a drain).</summary>
    private async ValueTask EmitAsync(ILogSink sink, StreamClock clock, LogCounters counters, bool complete, CancellationToken ct)
    {
        var end = _lineStart + _lineBytes;
        var raw = _partial.WrittenSpan;
        var truncated = _lineBytes - (complete ? 1 : 0) > raw.Length;
        if (truncated) counters.LinesTruncated.Add();
        raw = LineText.Cut(raw, truncated, _settings.MaxLineBytes);
        var stream = _settings.Processor.ExtractLevel ? StreamFor(LevelParser.Parse(raw)) : Stream;
        var line = LineText.ValidUtf8(raw, truncated);
        var start = _lineStart;
        _partial.ResetWrittenCount();
        _lineStart = end;
        _lineBytes = 0;
        counters.LinesRead.Add();
        if (_settings.Multiline is not { } multiline)
        {
            await SendAsync(sink, clock, counters, stream, line, end, ct);
            return;
        }
        if (_group is not null && multiline.Start.IsMatch(Encoding.UTF8.GetString(line))) await FlushGroupAsync(sink, clock, counters, ct);
        if (_group is null)
        {
            _group = new ArrayBufferWriter<byte>(line.Length + 256);
            _group.Write(line);
            _groupStream = stream;
            _groupLines = 1;
            _groupStart = start;
        }
        else
        {
            _group.Write("\n"u8);
            _group.Write(line);
            _groupLines++;
        }
        _groupEnd = end;
        _groupLast = DateTime.UtcNow;
        if (_groupLines >= multiline.MaxLines) await FlushGroupAsync(sink, clock, counters, ct);
    }

    private async ValueTask FlushGroupAsync(ILogSink sink, StreamClock clock, LogCounters counters, CancellationToken ct)
    {
        if (_group is null) return;
        var joined = _group.WrittenSpan.ToArray();
        _group = null;
        await SendAsync(sink, clock, counters, _groupStream, joined, _groupEnd, ct);
    }

    private async ValueTask SendAsync(ILogSink sink, StreamClock clock, LogCounters counters, LogStream stream, byte[] line, long end, CancellationToken ct)
    {
        if (_settings.Processor.Drops(line))
        {
            // Not sent; its bytes are covered by the next delivered line's acknowledgement.
            counters.LinesDropped.Add();
            return;
        }
        await sink.WriteAsync(new LogEntry(stream, clock.Next(stream.Selector), line, _generation, end), ct);
    }

    private LogStream StreamFor(string level)
    {
        if (_levelStreams.TryGetValue(level, out var stream)) return stream;
        stream = new LogStream(Labels.Merge([new Label("level", level)], Stream.Labels));
        _levelStreams[level] = stream;
        return stream;
    }

    /// <summary>Emits a last line that never got its newline (the file is gone or rotated away).</summary>
    public async Task FlushPartialAsync(ILogSink sink, StreamClock clock, LogCounters counters, CancellationToken ct)
    {
        if (_lineBytes > 0) await EmitAsync(sink, clock, counters, complete: false, ct);
        await FlushGroupAsync(sink, clock, counters, ct);
    }

    private void Acknowledge(Generation generation, long offset)
    {
        if (generation != _generation) return;
        long current;
        do
        {
            current = Interlocked.Read(ref _acked);
            if (offset <= current) return;
        }
        while (Interlocked.CompareExchange(ref _acked, offset, current) != current);
        lock (_retireGate)
        {
            if (offset >= _retiredAt) _positions.Remove(Identity, Path);
            else _positions.Set(Identity, Path, _fingerprint, offset);
        }
    }

    private readonly Lock _retireGate = new();
    private long _retiredAt = long.MaxValue;

    /// <summary>
    /// Closed after it was rotated away or deleted and read to its end: its position goes once
    /// everything sent from it is acknowledged, so positions.json holds files that can still be
    /// read, not every name a rotation ever left behind. A file still at its path (a scan that
    /// missed it) keeps its position, and is resumed from it when seen again.
    /// </summary>
    public void Retire()
    {
        if (FileIdentity.Of(Path) == Identity) return;
        lock (_retireGate)
        {
            _retiredAt = _lineStart;
            if (Interlocked.Read(ref _acked) >= _retiredAt) _positions.Remove(Identity, Path);
        }
    }

    public void Dispose() => _file.Dispose();

    /// <summary>The ack target of one generation of the file's content (a truncation starts a new one).</summary>
    private sealed class Generation(FileTailer owner) : IAckTarget
    {
        public void Acknowledge(long offset) => owner.Acknowledge(this, offset);
    }
}

/// <summary>How a file's lines are cut and processed (from [logs] and its [[logs.files]] entry).</summary>
public sealed record TailerSettings(int MaxLineBytes, TimeSpan PartialLineTimeout, LineProcessor Processor, Multiline? Multiline = null);

/// <summary>Continuation lines join the line matching <see cref="Start"/> before them, up to a count and a quiet time.</summary>
public sealed record Multiline(System.Text.RegularExpressions.Regex Start, int MaxLines, TimeSpan MaxWait);
