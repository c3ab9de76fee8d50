using Agent.Telemetry;

namespace Agent.Hosting;

/// <summary>
/// The outcome of the last config load, kept across the pipelines a reload replaces and shown
/// under Prometheus's own names, so the alert users have for Prometheus works for the agent.
/// </summary>
public sealed class ReloadStatus
{
    private readonly Lock _gate = new();
    private bool _successful = true;
    private double _successSeconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
    private Gauge? _successfulGauge, _timestampGauge;

    /// <summary>Shows the status in a new pipeline's self-metrics.</summary>
    public void Register(SelfMetrics self)
    {
        lock (_gate)
        {
            _successfulGauge = self.Gauge("agent_config_last_reload_successful", "Whether the last configuration reload attempt was successful.");
            _timestampGauge = self.Gauge("agent_config_last_reload_success_timestamp_seconds", "Timestamp of the last successful configuration reload.");
            Publish();
        }
    }

    public void Succeeded()
    {
        lock (_gate)
        {
            _successful = true;
            _successSeconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
            Publish();
        }
    }

    public void Failed()
    {
        lock (_gate)
        {
            _successful = false;
            Publish();
        }
    }

    private void Publish()
    {
        _successfulGauge?.Set(_successful ? 1 : 0);
        _timestampGauge?.Set(_successSeconds);
    }
}
