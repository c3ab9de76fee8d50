namespace Agent.Pipeline;

/// <summary>
/// Where log sources hand their lines (the Loki exporters). WriteAsync waits when the
/// backlog is full: the source stops reading and its position stays put, so nothing is lost.
/// </summary>
public interface ILogSink
{
    ValueTask WriteAsync(LogEntry entry, CancellationToken ct);
}
