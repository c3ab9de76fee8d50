using Agent.Pipeline;

namespace Agent.Exporters.Loki;

/// <summary>
/// Sends every entry to each [[loki]] endpoint; the entry's source hears of it only when
/// every endpoint has settled it, so a position never passes a line one monitor still lacks.
/// </summary>
public sealed class LokiFanout(IReadOnlyList<LokiExporter> exporters) : ILogSink
{
    public async ValueTask WriteAsync(LogEntry entry, CancellationToken ct)
    {
        if (exporters.Count == 1)
        {
            await exporters[0].WriteAsync(entry, ct);
            return;
        }
        var shared = new LogEntry(entry.Stream, entry.TimestampNs, entry.Line,
            entry.Ack is null ? null : new CountdownAck(entry.Ack, exporters.Count), entry.AckOffset);
        foreach (var exporter in exporters) await exporter.WriteAsync(shared, ct);
    }

    private sealed class CountdownAck(IAckTarget inner, int count) : IAckTarget
    {
        private int _remaining = count;

        public void Acknowledge(long offset)
        {
            if (Interlocked.Decrement(ref _remaining) == 0) inner.Acknowledge(offset);
        }
    }
}
