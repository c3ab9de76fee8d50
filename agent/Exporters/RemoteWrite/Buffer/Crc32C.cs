using System.Buffers.Binary;
using System.Runtime.Intrinsics.X86;

namespace Agent.Exporters.RemoteWrite.Buffer;

/// <summary>
/// CRC-32C (Castagnoli, as iSCSI, ext4 and Vector's disk buffer use it): the SSE4.2 instruction
/// where the CPU has it, a table otherwise. Catches every torn or flipped byte of a buffered record.
/// </summary>
public static class Crc32C
{
    private const uint Polynomial = 0x82F63B78; // reflected 0x1EDC6F41
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(~0u, data);

    /// <summary>Continues a running CRC (pre-inverted state, as <see cref="Compute"/> starts it).</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            ulong wide = crc;
            while (data.Length >= 8)
            {
                wide = Sse42.X64.Crc32(wide, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }
            crc = (uint)wide;
        }
        if (Sse42.IsSupported)
        {
            foreach (var b in data) crc = Sse42.Crc32(crc, b);
            return crc;
        }
        return AppendPortable(crc, data);
    }

    /// <summary>The table path, for CPUs without SSE4.2 (and for the test that both paths agree).</summary>
    internal static uint AppendPortable(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
