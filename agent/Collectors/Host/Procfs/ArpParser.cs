namespace Agent.Collectors.Host.Procfs;

/// <summary>
/// /proc/net/arp: a header line, then "IP HWtype Flags HWaddress Mask Device" per neighbour.
/// Only the device column matters: node_exporter counts entries per device.
/// </summary>
public static class ArpParser
{
    private const int Columns = 6;

    /// <summary>
    /// The device of one entry line, or false with <paramref name="columns"/> set when the line is
    /// not six columns (the caller names the file and line). The header is the caller's to skip.
    /// </summary>
    public static bool TryParseDevice(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> device, out int columns)
    {
        device = default;
        columns = 0;
        var fields = new FieldEnumerator(line);
        while (fields.MoveNext())
        {
            if (++columns == Columns) device = fields.Current;
        }
        return columns == Columns;
    }
}
