namespace Agent.Exporters.RemoteWrite.Buffer;

/// <summary>
/// One remote-write request as buffered: its sequence number (the ledger's unit), the
/// timestamp of its oldest sample (what max_buffer_age is measured on), its sample count and
/// its snappy-compressed WriteRequest body, ready to POST as it is.
/// </summary>
public sealed class BufferedRecord(long seq, long timestampMs, int samples, byte[] body)
{
    public long Seq { get; } = seq;
    public long TimestampMs { get; } = timestampMs;
    public int Samples { get; } = samples;
    public byte[] Body { get; } = body;

    /// <summary>The disk segment holding it; null for a record kept in memory.</summary>
    internal Segment? Segment { get; init; }

    /// <summary>
    /// Written by an earlier run, which may have delivered part of it: sent in requests of its
    /// own, because a receiver refuses a whole request for one sample it already has.
    /// </summary>
    public bool Replayed { get; init; }

    /// <summary>Set by the buffer when released; the ledger's mark moves past settled records only.</summary>
    internal bool Settled { get; set; }

    /// <summary>Requests still out for this record when it is sent as several shards.</summary>
    internal int PendingParts;
}
