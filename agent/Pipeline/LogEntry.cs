namespace Agent.Pipeline;

/// <summary>
/// One log line on its way to Loki, held as valid UTF-8 (half the memory of a string, and what
/// the wire wants). <see cref="Stream"/> is the stream's full label set (sorted), shared by every
/// entry of that stream. <see cref="Ack"/> is told once the line is delivered or deliberately
/// dropped, so a file position moves only then.
/// </summary>
public sealed class LogEntry(LogStream stream, long timestampNs, byte[] line, IAckTarget? ack, long ackOffset)
{
    public LogStream Stream { get; } = stream;
    public long TimestampNs { get; } = timestampNs;
    public byte[] Line { get; } = line;
    public IAckTarget? Ack { get; } = ack;
    /// <summary>The source position just past this line; what the ack target may commit.</summary>
    public long AckOffset { get; } = ackOffset;
}
