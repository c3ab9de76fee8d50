using Agent.Telemetry;

namespace Agent.Logs;

/// <summary>The file source's self-metrics, created once.</summary>
public sealed class LogCounters(SelfMetrics metrics)
{
    public Counter LinesRead { get; } = metrics.Counter("agent_logs_lines_read_total", "Log lines read from files.");
    public Counter BytesRead { get; } = metrics.Counter("agent_logs_bytes_read_total", "Bytes read from log files.");
    public Counter LinesTruncated { get; } = metrics.Counter("agent_logs_lines_truncated_total", "Lines cut at max_line_size (marked \"…[truncated]\").");
    public Counter LinesDropped { get; } = metrics.Counter("agent_logs_lines_dropped_total", "Lines not sent because a drop expression matched.");
    public Gauge FilesWatched { get; } = metrics.Gauge("agent_logs_files_watched", "Log files currently open.");
    public Gauge LagBytes { get; } = metrics.Gauge("agent_logs_lag_bytes", "Bytes written to watched files and not yet read.");
}
