using Agent.Config;
using Agent.Exporters.RemoteWrite;
using Agent.Pipeline;
using Agent.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agent.Hosting;

/// <summary>
/// One exporter per [[remote_write]]; each batch goes to all of them. With none configured
/// the agent is in pull mode and batches only feed /metrics.
/// </summary>
internal sealed class RemoteWriteService : IHostedService, IMetricSink
{
    private readonly RemoteWriteExporter[] _exporters;
    private readonly TimeSpan _flushDeadline;
    private readonly TimeSpan _stallTimeout;

    public RemoteWriteService(AgentConfig config, SelfMetrics self, ILoggerFactory loggers)
    {
        var external = ExternalLabels.ForPush(config);
        var logger = loggers.CreateLogger("remote_write");
        _exporters = [.. config.RemoteWrite.Select(rw => new RemoteWriteExporter(rw, external, self, logger, dataDir: config.Agent.DataDir))];
        _flushDeadline = config.Agent.ShutdownTimeoutValue;
        _stallTimeout = config.Agent.StallTimeoutValue;
    }

    /// <summary>False while an endpoint holding data has made no progress for [agent] stall_timeout.</summary>
    public bool Healthy
    {
        get
        {
            foreach (var exporter in _exporters)
            {
                if (!exporter.Healthy(_stallTimeout)) return false;
            }
            return true;
        }
    }

    public void Enqueue(MetricBatch batch)
    {
        foreach (var exporter in _exporters) exporter.Enqueue(batch);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var exporter in _exporters) exporter.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_exporters.Select(e => e.StopAsync(_flushDeadline)));
}
