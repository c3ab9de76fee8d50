using Agent.Pipeline;
using Agent.Telemetry;

namespace Agent.Logs;

/// <summary>The log sources' self-metrics (files, containers and the journal share them), created once per source.</summary>
public sealed class LogCounters(SelfMetrics metrics)
{
    public Counter LinesRead { get; } = metrics.Counter("agent_logs_lines_read_total", "Log lines read from files, containers and the journal.");
    public Counter BytesRead { get; } = metrics.Counter("agent_logs_bytes_read_total", "Bytes read from log files, container logs and journal messages.");
    public Counter LinesTruncated { get; } = metrics.Counter("agent_logs_lines_truncated_total", "Lines cut at max_line_size (marked \"…[truncated]\").");
    public Counter LinesDropped { get; } = metrics.Counter("agent_logs_lines_dropped_total", "Log lines not sent, by reason.", new Label("reason", "drop_expression"));
    public Gauge FilesWatched { get; } = metrics.Gauge("agent_logs_files_watched", "Log files currently open.");
    /// <summary>Counts a path that a glob reached and that is not tailed, once per time it is reported.</summary>
    public void Skipped(SkippedPath skipped) =>
        metrics.Counter("agent_logs_files_skipped_total", "Paths matched by a log glob and not tailed (FIFOs, sockets, devices, directories, unreadable), by reason.",
            new Label("reason", skipped.ReasonLabel)).Add();

    private const string FileLagName = "agent_logs_file_lag_bytes";
    private readonly HashSet<string> _lagPaths = new(StringComparer.Ordinal);

    /// <summary>Per watched path, bytes written and not yet read; paths no longer watched are removed.</summary>
    public void SetFileLag(Dictionary<string, long> lagByPath)
    {
        foreach (var (path, lag) in lagByPath)
        {
            metrics.Gauge(FileLagName, "Bytes written to a watched file and not yet read.", new Label("filename", path)).Set(lag);
            _lagPaths.Add(path);
        }
        _lagPaths.RemoveWhere(path =>
        {
            if (lagByPath.ContainsKey(path)) return false;
            metrics.Remove(FileLagName, new Label("filename", path));
            return true;
        });
    }
}
