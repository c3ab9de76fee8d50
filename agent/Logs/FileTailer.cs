using System.Buffers;
using System.Text;
using Agent.Pipeline;
using Microsoft.Extensions.Logging;

namespace Agent.Logs;

/// <summary>
/// One open log file, followed through its handle (so a renamed file is drained, not lost).
/// Hands complete lines to the sink; the position it saves moves only when the sink
/// acknowledges a line (IAckTarget), never when it is merely read.
/// </summary>
public sealed class FileTailer : IAckTarget, IDisposable
{
    private const int ReadSize = 64 * 1024;
    private const int FingerprintSize = 1024;

    private readonly FileStream _file;
    private readonly PositionsStore _positions;
    private readonly ILogger _logger;
    private readonly int _maxLineBytes;
    private readonly ArrayBufferWriter<byte> _partial = new(256);
    private long _lineStart;
    private long _acked;
    private string _fingerprint = "";

    public FileTailer(string path, FileIdentity identity, FileStream file, long startOffset, LogStream stream,
        PositionsStore positions, ILogger logger, int maxLineBytes)
    {
        Path = path;
        Identity = identity;
        _file = file;
        Stream = stream;
        _positions = positions;
        _logger = logger;
        _maxLineBytes = maxLineBytes;
        _lineStart = startOffset;
        _acked = startOffset;
        LastGrowth = DateTime.UtcNow;
        _fingerprint = ReadFingerprint();
    }

    public string Path { get; }
    public FileIdentity Identity { get; }
    public LogStream Stream { get; }

    /// <summary>Rotated away or deleted: read to the end, then close.</summary>
    public bool Draining { get; set; }

    public DateTime LastGrowth { get; private set; }

    /// <summary>Bytes of the file not yet read (lag).</summary>
    public long Lag
    {
        get
        {
            try { return Math.Max(0, _file.Length - _lineStart - _partial.WrittenCount); }
            catch (IOException) { return 0; }
        }
    }

    public bool FullyAcknowledged => Interlocked.Read(ref _acked) >= _lineStart;

    /// <summary>The first bytes of a file, hex; equal prefixes mean the same content start.</summary>
    public static string Fingerprint(ReadOnlySpan<byte> head) => Convert.ToHexString(head);

    private string ReadFingerprint()
    {
        var buffer = new byte[FingerprintSize];
        var n = RandomAccess.Read(_file.SafeFileHandle, buffer, 0);
        return Fingerprint(buffer.AsSpan(0, n));
    }

    /// <summary>Reads what is new and writes every complete line to the sink. Returns the bytes read.</summary>
    public async Task<long> ReadAsync(ILogSink sink, StreamClock clock, LogCounters counters, CancellationToken ct)
    {
        long length;
        try
        {
            length = _file.Length;
        }
        catch (IOException)
        {
            return 0;
        }
        var readFrom = _lineStart + _partial.WrittenCount;
        if (length < readFrom)
        {
            // copytruncate or "> file": everything after the cut is new content from offset 0.
            _logger.LogWarning("{Path} was truncated ({Length} < {Offset} bytes); reading it again from the start", Path, length, readFrom);
            _partial.ResetWrittenCount();
            _lineStart = 0;
            Interlocked.Exchange(ref _acked, 0);
            _fingerprint = ReadFingerprint();
            _positions.Set(Identity, Path, _fingerprint, 0);
            readFrom = 0;
        }
        if (length == readFrom) return 0;
        if (_fingerprint.Length < FingerprintSize * 2) _fingerprint = ReadFingerprint();

        LastGrowth = DateTime.UtcNow;
        var buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        long total = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var n = await RandomAccess.ReadAsync(_file.SafeFileHandle, buffer.AsMemory(0, ReadSize), readFrom, ct);
                if (n == 0) break;
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
            if (nl < 0)
            {
                _partial.Write(chunk.Span);
                if (_partial.WrittenCount >= _maxLineBytes)
                {
                    // A line without end in sight is sent in max_line_size pieces rather than held in memory.
                    counters.LinesSplit.Add();
                    await EmitAsync(sink, clock, counters, consumed: 0, ct);
                }
                return;
            }
            _partial.Write(chunk.Span[..nl]);
            await EmitAsync(sink, clock, counters, consumed: 1, ct);
            chunk = chunk[(nl + 1)..];
        }
    }

    /// <summary>Emits the accumulated line; <paramref name="consumed"/> is the newline byte after it, if any.</summary>
    private async ValueTask EmitAsync(ILogSink sink, StreamClock clock, LogCounters counters, int consumed, CancellationToken ct)
    {
        var raw = _partial.WrittenSpan;
        var end = _lineStart + raw.Length + consumed;
        if (raw.Length > 0 && raw[^1] == (byte)'\r') raw = raw[..^1];
        // Invalid UTF-8 becomes U+FFFD: Loki rejects requests with invalid UTF-8 in lines.
        var line = Encoding.UTF8.GetString(raw);
        _partial.ResetWrittenCount();
        _lineStart = end;
        counters.LinesRead.Add();
        await sink.WriteAsync(new LogEntry(Stream, clock.Next(Stream.Selector), line, this, end), ct);
    }

    /// <summary>Emits a last line that never got its newline (the file is gone or rotated away).</summary>
    public async Task FlushPartialAsync(ILogSink sink, StreamClock clock, LogCounters counters, CancellationToken ct)
    {
        if (_partial.WrittenCount > 0) await EmitAsync(sink, clock, counters, consumed: 0, ct);
    }

    public void Acknowledge(long offset)
    {
        long current;
        do
        {
            current = Interlocked.Read(ref _acked);
            if (offset <= current) return;
        }
        while (Interlocked.CompareExchange(ref _acked, offset, current) != current);
        _positions.Set(Identity, Path, _fingerprint, offset);
    }

    public void Dispose() => _file.Dispose();
}
