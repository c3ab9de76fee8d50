using Agent.Config;
using Agent.Docker;
using Agent.Exporters.Loki;
using Agent.Logs;
using Agent.Pipeline;
using Agent.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agent.Hosting;

/// <summary>
/// The log path: the configured sources (<see cref="LogSources"/>: files, containers, the
/// journal) → Loki exporters (fan-out) → acknowledgements → positions. Stops in that order:
/// sources stop reading, exporters flush within the deadline, and the positions file is
/// written last with everything that was acknowledged.
/// Without a [[loki]] endpoint nothing is read: reading lines nobody receives would only
/// move positions past them.
/// </summary>
/// <param name="docker">The engine's containers; null unless [logs.docker] (or [containers]) is enabled.</param>
internal sealed class LogsService(AgentConfig config, SelfMetrics self, ILoggerFactory loggers, ContainerTracker? docker) : IHostedService
{
    private readonly ILogger _logger = loggers.CreateLogger("logs");
    private readonly List<LokiExporter> _exporters = [];
    private readonly List<ILogSource> _sources = [];
    private PositionsStore? _positions;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (config.Loki.Count == 0)
        {
            if (config.Logs.Files.Count > 0) _logger.LogWarning("[[logs.files]] configured but no [[loki]] endpoint: logs are not collected");
            if (config.Logs.Journal.Enabled) _logger.LogWarning("[logs.journal] enabled but no [[loki]] endpoint: the journal is not read");
            return Task.CompletedTask;
        }
        var wanted = LogSources.All.Where(kind => kind.Configured(config)).ToList();
        if (wanted.Count > 0)
        {
            _positions = new PositionsStore(config.Agent.DataDir, _logger);
            _positions.Start();
        }
        var positions = _positions;
        var exporterLogger = loggers.CreateLogger("loki");
        foreach (var loki in config.Loki)
        {
            _exporters.Add(new LokiExporter(loki, self, exporterLogger) { AfterAcknowledge = positions is null ? null : positions.Save });
        }
        foreach (var exporter in _exporters) exporter.Start();
        if (positions is null) return Task.CompletedTask;
        var context = new LogSourceContext(config, ExternalLabels.ForLogs(config), positions, new LokiFanout(_exporters), self, loggers, docker);
        foreach (var kind in wanted)
        {
            if (kind.Create(context) is not { } source) continue;
            _sources.Add(source);
            source.Start();
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var source in _sources) await source.StopAsync();
        await Task.WhenAll(_exporters.Select(e => e.StopAsync(config.Agent.ShutdownTimeoutValue)));
        foreach (var source in _sources) await source.DisposeAsync();
        if (_positions is not null) await _positions.DisposeAsync();
        foreach (var exporter in _exporters) await exporter.DisposeAsync();
    }
}
