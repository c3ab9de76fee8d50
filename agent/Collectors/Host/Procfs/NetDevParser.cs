namespace Agent.Collectors.Host.Procfs;

/// <summary>
/// One line of /proc/net/dev (or /proc/&lt;pid&gt;/net/dev, the same file seen from a process'
/// network namespace): "  eth0: 16 counters". Header lines have no colon and yield false.
/// </summary>
public static class NetDevParser
{
    /// <summary>Receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes packets errs drop fifo colls carrier compressed.</summary>
    public const int Columns = 16;

    public const int ReceiveBytes = 0, ReceivePackets = 1, ReceiveErrors = 2, ReceiveDrop = 3;
    public const int TransmitBytes = 8, TransmitPackets = 9, TransmitErrors = 10, TransmitDrop = 11;

    /// <summary>
    /// Fills <paramref name="values"/> (at least <see cref="Columns"/> long) and returns how many
    /// columns parsed; columns after an unparsable one are left untouched.
    /// </summary>
    public static bool TryParseLine(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> device, Span<long> values, out int parsed)
    {
        parsed = 0;
        var colon = line.IndexOf((byte)':');
        if (colon < 0)
        {
            device = default;
            return false;
        }
        device = line[..colon].Trim(" "u8);
        var fields = new FieldEnumerator(line[(colon + 1)..]);
        while (parsed < Columns && fields.MoveNext() && ProcNumbers.TryParseLong(fields.Current, out values[parsed])) parsed++;
        return true;
    }
}
