using Agent.Config;
using Agent.Docker;
using Agent.Exporters.Loki;
using Agent.Logs;
using Agent.Logs.Docker;
using Agent.Pipeline;
using Agent.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agent.Tests.Support;

/// <summary>Tracker → docker log source → Loki exporter → receiver, as the agent wires it, on the real engine.</summary>
public sealed class ContainerLogPipeline : IAsyncDisposable
{
    private static readonly Label[] Base = Labels.Sorted([new("host", "h1"), new("environment", "test")]);

    public required ContainerTracker Tracker { get; init; }
    public required PositionsStore Positions { get; init; }
    public required LokiExporter Exporter { get; init; }
    public required DockerLogSource Source { get; init; }
    public required SelfMetrics Metrics { get; init; }

    public static async Task<ContainerLogPipeline> StartAsync(string dataDir, string pushUrl, Action<LogsSection>? configure = null, ILogger? logger = null)
    {
        var metrics = new SelfMetrics();
        var positions = new PositionsStore(dataDir, NullLogger.Instance);
        positions.Start();
        var exporter = new LokiExporter(new LokiConfig
        {
            UrlValue = new Uri(pushUrl),
            TimeoutValue = TimeSpan.FromSeconds(5),
            MinBackoffValue = TimeSpan.FromMilliseconds(20),
            MaxBackoffValue = TimeSpan.FromMilliseconds(200),
            BatchWaitValue = TimeSpan.FromMilliseconds(100),
            BatchSize = 16384,
            MaxPendingBatches = 4,
        }, metrics, NullLogger.Instance) { AfterAcknowledge = positions.Save };
        exporter.Start();
        var logs = new LogsSection();
        configure?.Invoke(logs);
        var tracker = new ContainerTracker(DockerEngine.Endpoint, metrics, NullLogger.Instance);
        var source = new DockerLogSource(logs, Base, tracker, DockerEngine.Endpoint, positions, exporter, metrics, logger ?? NullLogger.Instance);
        source.Start();
        tracker.Start();
        await tracker.FirstSync.WaitAsync(TimeSpan.FromSeconds(15));
        return new ContainerLogPipeline { Tracker = tracker, Positions = positions, Exporter = exporter, Source = source, Metrics = metrics };
    }

    public async ValueTask DisposeAsync()
    {
        await Source.StopAsync();
        await Exporter.StopAsync(TimeSpan.FromSeconds(10));
        await Source.DisposeAsync();
        await Positions.DisposeAsync();
        await Exporter.DisposeAsync();
        await Tracker.DisposeAsync();
    }
}
