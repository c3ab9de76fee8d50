using System.Buffers.Binary;

namespace Agent.Exporters.RemoteWrite.Buffer;

/// <summary>
/// One buffered record on disk: magic, payload length, CRC-32C of length and payload, then the
/// payload (sequence number, timestamp of its oldest sample, sample count, remote-write body).
/// The magic lets a reader find the next whole record after a corrupt one instead of losing the
/// rest of the segment; the CRC makes a torn or flipped record fail instead of being sent.
/// </summary>
public static class RecordFrame
{
    public const uint Magic = 0x31424741; // "AGB1" little-endian
    public const int HeaderSize = 12;
    public const int PayloadHeaderSize = 20;
    /// <summary>A length above this is corruption, not a record (requests are a few hundred KiB).</summary>
    public const int MaxPayload = 64 * 1024 * 1024;

    public static int Size(int bodyLength) => HeaderSize + PayloadHeaderSize + bodyLength;

    /// <summary>Writes the whole frame into <paramref name="destination"/> (exactly <see cref="Size"/> bytes).</summary>
    public static void Write(Span<byte> destination, long seq, long timestampMs, int samples, ReadOnlySpan<byte> body)
    {
        var payloadLength = PayloadHeaderSize + body.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], payloadLength);
        var payload = destination.Slice(HeaderSize, payloadLength);
        BinaryPrimitives.WriteInt64LittleEndian(payload, seq);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], timestampMs);
        BinaryPrimitives.WriteInt32LittleEndian(payload[16..], samples);
        body.CopyTo(payload[PayloadHeaderSize..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Checksum(destination[4..8], payload));
    }

    /// <summary>
    /// Reads the header at the start of <paramref name="data"/>: the whole frame's size when the
    /// magic and length are plausible, -1 otherwise. The CRC is checked by <see cref="TryParse"/>.
    /// </summary>
    public static int FrameSize(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(data) != Magic) return -1;
        var length = BinaryPrimitives.ReadInt32LittleEndian(data[4..]);
        return length is < PayloadHeaderSize or > MaxPayload ? -1 : HeaderSize + length;
    }

    /// <summary>True when <paramref name="frame"/> holds one whole frame whose CRC matches.</summary>
    public static bool TryParse(ReadOnlySpan<byte> frame, out long seq, out long timestampMs, out int samples, out ReadOnlySpan<byte> body)
    {
        seq = timestampMs = 0;
        samples = 0;
        body = default;
        var size = FrameSize(frame);
        if (size < 0 || frame.Length < size) return false;
        var payload = frame.Slice(HeaderSize, size - HeaderSize);
        if (BinaryPrimitives.ReadUInt32LittleEndian(frame[8..]) != Checksum(frame[4..8], payload)) return false;
        seq = BinaryPrimitives.ReadInt64LittleEndian(payload);
        timestampMs = BinaryPrimitives.ReadInt64LittleEndian(payload[8..]);
        samples = BinaryPrimitives.ReadInt32LittleEndian(payload[16..]);
        body = payload[PayloadHeaderSize..];
        return samples >= 0;
    }

    private static uint Checksum(ReadOnlySpan<byte> length, ReadOnlySpan<byte> payload) =>
        ~Crc32C.Append(Crc32C.Append(~0u, length), payload);
}
