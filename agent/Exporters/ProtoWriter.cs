using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Agent.Exporters;

/// <summary>The handful of protobuf wire primitives the exporters need, written into a buffer writer.</summary>
internal static class ProtoWriter
{
    public const int WireVarint = 0;
    public const int WireFixed64 = 1;
    public const int WireLengthDelimited = 2;

    public static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80) { value >>= 7; size++; }
        return size;
    }

    /// <summary>Size of a length-delimited field (tag + length + payload); field numbers here are below 16.</summary>
    public static int FieldSize(int payload) => 1 + VarintSize((ulong)payload) + payload;

    public static void Tag(IBufferWriter<byte> output, int field, int wireType) => Varint(output, (ulong)((field << 3) | wireType));

    public static void Varint(IBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        output.Advance(i);
    }

    public static void Double(IBufferWriter<byte> output, int field, double value)
    {
        Tag(output, field, WireFixed64);
        var span = output.GetSpan(8);
        BinaryPrimitives.WriteDoubleLittleEndian(span, value);
        output.Advance(8);
    }

    public static void Bytes(IBufferWriter<byte> output, int field, ReadOnlySpan<byte> value)
    {
        Tag(output, field, WireLengthDelimited);
        Varint(output, (ulong)value.Length);
        output.Write(value);
    }

    public static void String(IBufferWriter<byte> output, int field, string value, int byteCount)
    {
        Tag(output, field, WireLengthDelimited);
        Varint(output, (ulong)byteCount);
        var span = output.GetSpan(byteCount);
        output.Advance(Encoding.UTF8.GetBytes(value, span));
    }
}
