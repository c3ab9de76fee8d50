using Agent.Config;
using Agent.Docker;
using Agent.Logs.Docker;
using Agent.Logs.Journal;
using Agent.Pipeline;
using Agent.Telemetry;
using Microsoft.Extensions.Logging;

namespace Agent.Logs;

/// <summary>What every log source is built from: the config, the labels all streams carry, positions, the sink.</summary>
/// <param name="Docker">The engine's containers; null unless something follows Docker.</param>
public sealed record LogSourceContext(AgentConfig Config, Label[] BaseLabels, PositionsStore Positions, ILogSink Sink,
    SelfMetrics Metrics, ILoggerFactory Loggers, ContainerTracker? Docker);

/// <summary>
/// One kind of log source: its name, whether the configuration asks for it, and how it is
/// built — null when this host cannot provide it (the factory logged why; the rest runs).
/// </summary>
public sealed record LogSourceKind(string Name, Func<AgentConfig, bool> Configured, Func<LogSourceContext, ILogSource?> Create);

/// <summary>The log sources, as an explicit table (no reflection): the log service starts those configured.</summary>
public static class LogSources
{
    public static readonly LogSourceKind[] All =
    [
        new("files", c => c.Logs.Files.Count > 0, c => new FileLogSource(c.Config.Logs, c.BaseLabels, c.Positions, c.Sink, c.Metrics,
            c.Loggers.CreateLogger("logs.files"))),
        new("docker", c => c.Logs.Docker.Enabled, c => c.Docker is { } tracker
            ? new DockerLogSource(c.Config.Logs, c.BaseLabels, tracker, c.Config.Containers.DockerHostValue, c.Positions, c.Sink, c.Metrics,
                c.Loggers.CreateLogger("logs.docker"))
            : null),
        new("journal", c => c.Logs.Journal.Enabled, JournalLogSource.Create),
    ];
}
