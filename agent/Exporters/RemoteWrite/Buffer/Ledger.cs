using System.Buffers.Binary;
using Agent.Telemetry;

namespace Agent.Exporters.RemoteWrite.Buffer;

/// <summary>
/// What of a disk buffer is settled: every record below <see cref="Mark"/>, plus the few above
/// it that shards acknowledged out of order. Saved by <see cref="LedgerFile"/> into one of two
/// CRC-checked slots of a file kept open, so a crash mid-write leaves the other slot's older
/// ledger, and a save is one pwrite: no file created, renamed or unlinked each second, whose
/// journal commits were most of what the buffer cost a host-only cycle.
/// </summary>
public sealed class Ledger(long generation, long mark, IReadOnlyCollection<long> settled)
{
    public const string FileName = "ledger";

    /// <summary>Starts every slot; a slot without it (zeros, another format) is not a ledger.</summary>
    internal static ReadOnlySpan<byte> Magic => "AGLEDGR2"u8;

    /// <summary>magic, generation, mark, count ... crc</summary>
    internal const int FixedSize = 8 + 8 + 8 + 4 + 4;

    /// <summary>Which save this is: the higher of two valid slots is the newer.</summary>
    public long Generation { get; } = generation;
    public long Mark { get; } = mark;
    public IReadOnlyCollection<long> Settled { get; } = settled;

    public static readonly Ledger Empty = new(0, 0, []);

    internal int EncodedSize => FixedSize + 8 * Settled.Count;

    internal void Encode(Span<byte> slot)
    {
        Magic.CopyTo(slot);
        BinaryPrimitives.WriteInt64LittleEndian(slot[8..], Generation);
        BinaryPrimitives.WriteInt64LittleEndian(slot[16..], Mark);
        BinaryPrimitives.WriteInt32LittleEndian(slot[24..], Settled.Count);
        var at = 28;
        foreach (var seq in Settled)
        {
            BinaryPrimitives.WriteInt64LittleEndian(slot[at..], seq);
            at += 8;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(slot[at..], Crc32C.Compute(slot[..at]));
    }

    /// <summary>The ledger in a slot, or null when the slot is empty, torn or not a ledger.</summary>
    internal static Ledger? Decode(ReadOnlySpan<byte> slot)
    {
        if (slot.Length < FixedSize || !slot.StartsWith(Magic)) return null;
        var count = BinaryPrimitives.ReadInt32LittleEndian(slot[24..]);
        if (count < 0 || count > (slot.Length - FixedSize) / 8) return null;
        var end = 28 + 8 * count;
        if (BinaryPrimitives.ReadUInt32LittleEndian(slot[end..]) != Crc32C.Compute(slot[..end])) return null;
        var settled = new long[count];
        for (var i = 0; i < count; i++) settled[i] = BinaryPrimitives.ReadInt64LittleEndian(slot[(28 + 8 * i)..]);
        return new Ledger(BinaryPrimitives.ReadInt64LittleEndian(slot[8..]), BinaryPrimitives.ReadInt64LittleEndian(slot[16..]), settled);
    }

    /// <summary>The saved ledger; <see cref="Empty"/> (replay everything) when there is none or it cannot be read.</summary>
    public static Ledger Load(string dir, out string? problem)
    {
        problem = null;
        var path = Path.Combine(dir, FileName);
        if (!File.Exists(path)) return Empty;
        try
        {
            var bytes = File.ReadAllBytes(path);
            var half = bytes.Length / 2;
            var first = Decode(bytes.AsSpan(0, half));
            var second = Decode(bytes.AsSpan(half));
            var newest = first is null ? second : second is null || first.Generation > second.Generation ? first : second;
            if (newest is not null) return newest;
            problem = $"{path} is not a ledger";
            return Empty;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"{path}: {ErrorText.Of(e)}";
            return Empty;
        }
    }
}
