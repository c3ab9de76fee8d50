namespace Agent.Collectors.Host.Procfs;

/// <summary>
/// /proc/net/udp and udp6: a header, then one socket per line with "tx_queue:rx_queue" in hex
/// as the fifth column. node_exporter reports the sums over all sockets.
/// </summary>
public static class UdpQueuesParser
{
    private const int QueueColumn = 4;

    /// <summary>Sums of every socket's queues; false names the first bad line (1-based, the header is line 1).</summary>
    public static bool TryParse(ReadOnlySpan<byte> content, out long tx, out long rx, out int badLine)
    {
        tx = rx = 0;
        badLine = 0;
        var number = 0;
        foreach (var line in new LineEnumerator(content))
        {
            number++;
            if (number == 1 || line.Trim(" \t\r"u8).IsEmpty) continue;
            if (!TryQueues(line, out var t, out var r))
            {
                badLine = number;
                return false;
            }
            tx += t;
            rx += r;
        }
        return true;
    }

    private static bool TryQueues(ReadOnlySpan<byte> line, out long tx, out long rx)
    {
        tx = rx = 0;
        var fields = new FieldEnumerator(line);
        for (var column = 0; column <= QueueColumn; column++)
        {
            if (!fields.MoveNext()) return false;
        }
        var queues = fields.Current;
        var colon = queues.IndexOf((byte)':');
        return colon > 0 && ProcNumbers.TryParseHex(queues[..colon], out tx) && ProcNumbers.TryParseHex(queues[(colon + 1)..], out rx);
    }
}
