using Agent.Pipeline;
using Agent.Telemetry;

namespace Agent.Exporters.RemoteWrite.Buffer;

/// <summary>The self-metrics of one endpoint's buffer, created once per endpoint.</summary>
public sealed class BufferMetrics
{
    public BufferMetrics(SelfMetrics metrics, string endpointName)
    {
        var endpoint = new Label("endpoint", endpointName);
        const string dropHelp = "Samples dropped by reason (queue_full, rejected, shutdown, buffer_full, too_old).";
        BufferFull = metrics.Counter("agent_remote_write_samples_dropped_total", dropHelp, endpoint, new Label("reason", "buffer_full"));
        TooOld = metrics.Counter("agent_remote_write_samples_dropped_total", dropHelp, endpoint, new Label("reason", "too_old"));
        const string corruptHelp = "Buffered records skipped because their length or CRC did not check out (torn: at a segment's end).";
        Corrupt = metrics.Counter("agent_remote_write_buffer_corrupt_records_total", corruptHelp, endpoint, new Label("kind", "corrupt"));
        Torn = metrics.Counter("agent_remote_write_buffer_corrupt_records_total", corruptHelp, endpoint, new Label("kind", "torn"));
        Fallback = metrics.Gauge("agent_remote_write_buffer_memory_fallback",
            "1 when the disk buffer failed (I/O error, full disk) and records are kept in memory until restart.", endpoint);
        Bytes = metrics.Gauge("agent_remote_write_buffer_bytes", "Bytes held by the buffer (disk segments and memory).", endpoint);
        Records = metrics.Gauge("agent_remote_write_buffer_records", "Requests buffered and not yet acknowledged.", endpoint);
        Oldest = metrics.Gauge("agent_remote_write_buffer_oldest_timestamp_seconds",
            "Unix time of the oldest sample not yet acknowledged (0 when the buffer is empty).", endpoint);
    }

    public Counter BufferFull { get; }
    public Counter TooOld { get; }
    public Counter Corrupt { get; }
    public Counter Torn { get; }
    public Gauge Fallback { get; }
    public Gauge Bytes { get; }
    public Gauge Records { get; }
    public Gauge Oldest { get; }
}
