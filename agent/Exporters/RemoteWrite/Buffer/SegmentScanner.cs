using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Agent.Exporters.RemoteWrite.Buffer;

/// <summary>What one step through a segment found.</summary>
public enum ScanResult
{
    /// <summary>A whole record whose CRC matches.</summary>
    Record,
    /// <summary>No more bytes.</summary>
    End,
    /// <summary>Bytes that are no record, followed by a good record: skipped up to it.</summary>
    Corrupt,
    /// <summary>Bytes at the end that are no whole record (kill -9 or a full disk mid-write): skipped.</summary>
    Torn,
}

/// <summary>
/// Reads a segment's records in order with pread (no stream buffer, so what the writer wrote
/// is visible at once). A record that fails its length or CRC check is skipped by looking for
/// the next magic that starts a good record: one flipped byte costs one record, not the rest
/// of the file.
/// </summary>
public sealed class SegmentScanner : IDisposable
{
    private readonly SafeFileHandle _handle;
    private byte[] _frame = new byte[64 * 1024];

    public SegmentScanner(string path, long offset = 0)
    {
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Offset = offset;
    }

    /// <summary>Where the next record starts.</summary>
    public long Offset { get; private set; }

    /// <summary>The next record below <paramref name="limit"/> (the bytes known to be written).</summary>
    public ScanResult Next(long limit, out long seq, out long timestampMs, out int samples, out ReadOnlySpan<byte> body)
    {
        seq = timestampMs = 0;
        samples = 0;
        body = default;
        if (Offset >= limit) return ScanResult.End;
        if (limit - Offset >= RecordFrame.HeaderSize)
        {
            var header = _frame.AsSpan(0, RecordFrame.HeaderSize);
            ReadExactly(header, Offset);
            var size = RecordFrame.FrameSize(header);
            if (size > 0 && Offset + size <= limit)
            {
                if (_frame.Length < size) _frame = new byte[Math.Max(size, _frame.Length * 2)];
                var frame = _frame.AsSpan(0, size);
                ReadExactly(frame, Offset);
                if (RecordFrame.TryParse(frame, out seq, out timestampMs, out samples, out body))
                {
                    Offset += size;
                    return ScanResult.Record;
                }
            }
        }
        return Resync(limit);
    }

    /// <summary>Moves to the next offset where a good record starts, or to the end when none does.</summary>
    private ScanResult Resync(long limit)
    {
        var length = (int)(limit - Offset);
        var rest = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var span = rest.AsSpan(0, length);
            ReadExactly(span, Offset);
            Span<byte> magic = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(magic, RecordFrame.Magic);
            var at = 1;
            while (at < length)
            {
                var found = span[at..].IndexOf(magic);
                if (found < 0) break;
                at += found;
                var size = RecordFrame.FrameSize(span[at..]);
                if (size > 0 && at + size <= length && RecordFrame.TryParse(span.Slice(at, size), out _, out _, out _, out _))
                {
                    Offset += at;
                    return ScanResult.Corrupt;
                }
                at++;
            }
            Offset = limit;
            return ScanResult.Torn;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rest);
        }
    }

    private void ReadExactly(Span<byte> destination, long offset)
    {
        while (destination.Length > 0)
        {
            var n = RandomAccess.Read(_handle, destination, offset);
            if (n <= 0) throw new EndOfStreamException($"segment shorter than {offset + destination.Length} bytes");
            destination = destination[n..];
            offset += n;
        }
    }

    public void Dispose() => _handle.Dispose();
}
