using System.Buffers.Binary;
using System.Text;

namespace Agent.Tests.Support;

/// <summary>
/// One journal entry in systemd's export format (systemd.io/JOURNAL_EXPORT_FORMATS): FIELD=value
/// lines, a value holding a newline (or asked for) in the binary form — the name, a newline, its
/// length as 64-bit little endian, the bytes, a newline — and a blank line after the entry.
/// The address fields give the entry its time and boot, as journald would have.
/// </summary>
public sealed record JournalExportEntry(long RealtimeUsec, long MonotonicUsec, IReadOnlyList<(string Field, byte[] Value)> Fields, bool BinaryMessage = false)
{
    public const string BootId = "6f1e2d3c4b5a69788796a5b4c3d2e1f0";

    public static JournalExportEntry Text(long realtimeUsec, long monotonicUsec, string message, params (string Field, string Value)[] fields) =>
        new(realtimeUsec, monotonicUsec, [.. fields.Select(f => (f.Field, Encoding.UTF8.GetBytes(f.Value))), ("MESSAGE", Encoding.UTF8.GetBytes(message))]);

    public void WriteTo(Stream output)
    {
        Line(output, $"__REALTIME_TIMESTAMP={RealtimeUsec}");
        Line(output, $"__MONOTONIC_TIMESTAMP={MonotonicUsec}");
        Line(output, $"_BOOT_ID={BootId}");
        Span<byte> length = stackalloc byte[8];
        foreach (var (field, value) in Fields)
        {
            if (value.Contains((byte)'\n') || (BinaryMessage && field == "MESSAGE"))
            {
                Line(output, field);
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)value.Length);
                output.Write(length);
                output.Write(value);
                output.WriteByte((byte)'\n');
            }
            else
            {
                output.Write(Encoding.UTF8.GetBytes(field + "="));
                output.Write(value);
                output.WriteByte((byte)'\n');
            }
        }
        output.WriteByte((byte)'\n');
    }

    private static void Line(Stream output, string text) => output.Write(Encoding.UTF8.GetBytes(text + "\n"));
}
