using Agent.Config;
using Agent.Docker;
using Agent.Exporters.Loki;
using Agent.Logs;
using Agent.Logs.Docker;
using Agent.Pipeline;
using Agent.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agent.Hosting;

/// <summary>
/// The log path: file and container sources → Loki exporters (fan-out) → acknowledgements → positions.
/// Stops in that order: sources stop reading, exporters flush within the deadline, and the
/// positions file is written last with everything that was acknowledged.
/// Without a [[loki]] endpoint nothing is tailed: reading lines nobody receives would only
/// move positions past them.
/// </summary>
/// <param name="docker">The engine's containers; null unless [logs.docker] (or [containers]) is enabled.</param>
internal sealed class LogsService(AgentConfig config, SelfMetrics self, ILoggerFactory loggers, ContainerTracker? docker) : IHostedService
{
    private readonly ILogger _logger = loggers.CreateLogger("logs");
    private readonly List<LokiExporter> _exporters = [];
    private PositionsStore? _positions;
    private FileLogSource? _files;
    private DockerLogSource? _containers;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (config.Loki.Count == 0)
        {
            if (config.Logs.Files.Count > 0) _logger.LogWarning("[[logs.files]] configured but no [[loki]] endpoint: logs are not collected");
            return Task.CompletedTask;
        }
        var exporterLogger = loggers.CreateLogger("loki");
        var followContainers = config.Logs.Docker.Enabled && docker is not null;
        if (config.Logs.Files.Count > 0 || followContainers)
        {
            _positions = new PositionsStore(config.Agent.DataDir, _logger);
            _positions.Start();
        }
        var positions = _positions;
        foreach (var loki in config.Loki)
        {
            _exporters.Add(new LokiExporter(loki, self, exporterLogger) { AfterAcknowledge = positions is null ? null : positions.Save });
        }
        foreach (var exporter in _exporters) exporter.Start();
        if (_positions is not null && config.Logs.Files.Count > 0)
        {
            _files = new FileLogSource(config.Logs, ExternalLabels.ForLogs(config), _positions, new LokiFanout(_exporters), self,
                loggers.CreateLogger("logs.files"));
            _files.Start();
        }
        if (_positions is not null && followContainers && docker is not null)
        {
            _containers = new DockerLogSource(config.Logs, ExternalLabels.ForLogs(config), docker, config.Containers.DockerHostValue, _positions,
                new LokiFanout(_exporters), self, loggers.CreateLogger("logs.docker"));
            _containers.Start();
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_files is not null) await _files.StopAsync();
        if (_containers is not null) await _containers.StopAsync();
        await Task.WhenAll(_exporters.Select(e => e.StopAsync(config.Agent.ShutdownTimeoutValue)));
        if (_files is not null) await _files.DisposeAsync();
        if (_containers is not null) await _containers.DisposeAsync();
        if (_positions is not null) await _positions.DisposeAsync();
        foreach (var exporter in _exporters) await exporter.DisposeAsync();
    }
}
