using System.Diagnostics;
using Agent.Pipeline;
using Microsoft.Extensions.Logging;

namespace Agent.Collectors;

/// <summary>
/// Runs one job's collectors (job "node" for host collectors) and times each, adding
/// node_exporter-style meta-metrics under the agent's prefix; job "node" also carries them
/// under node_exporter's own names, which dashboard 1860's "Node Exporter" row reads. A
/// collector that throws fails alone: its families are discarded for the cycle, the others
/// are kept.
/// </summary>
public sealed class CollectorRunner
{
    private readonly ICollector[] _collectors;
    private readonly Label[][] _collectorLabels;
    private readonly bool[] _failing;
    private readonly ILogger _logger;

    public const string NodeJob = "node";

    private readonly bool _nodeExporterMeta;

    private readonly ICollector? _ownProcess;

    /// <param name="ownProcess">
    /// The exporter's own process_* family, added to the job untimed: node_exporter's job carries
    /// node_exporter's, and dashboard 1860's process panels read it there.
    /// </param>
    public CollectorRunner(string job, IReadOnlyList<ICollector> collectors, ILogger logger, ICollector? ownProcess = null)
    {
        _ownProcess = ownProcess;
        Job = job;
        _nodeExporterMeta = job == NodeJob;
        _collectors = [.. collectors];
        _collectorLabels = new Label[_collectors.Length][];
        for (var i = 0; i < _collectors.Length; i++)
        {
            _collectorLabels[i] = [new Label("collector", _collectors[i].Name)];
        }
        _failing = new bool[_collectors.Length];
        _logger = logger;
    }

    public string Job { get; }

    public IReadOnlyList<ICollector> Collectors => _collectors;

    public MetricBatch Collect(long timestampMs)
    {
        var families = new List<MetricFamily>(64);
        var duration = new MetricFamily("agent_scrape_collector_duration_seconds",
            "agent: Duration of a collector scrape.", MetricType.Gauge);
        var success = new MetricFamily("agent_scrape_collector_success",
            "agent: Whether a collector succeeded.", MetricType.Gauge);
        for (var i = 0; i < _collectors.Length; i++)
        {
            var before = families.Count;
            var start = Stopwatch.GetTimestamp();
            var ok = true;
            try
            {
                _collectors[i].Collect(families);
            }
            catch (Exception e)
            {
                ok = false;
                families.RemoveRange(before, families.Count - before);
                // Log on the transition only: a broken collector would otherwise repeat every interval.
                if (!_failing[i]) _logger.LogWarning("collector {Collector} failed: {Error}", _collectors[i].Name, Telemetry.ErrorText.Of(e));
            }
            if (ok && _failing[i]) _logger.LogInformation("collector {Collector} recovered", _collectors[i].Name);
            _failing[i] = !ok;
            duration.Add(_collectorLabels[i], Stopwatch.GetElapsedTime(start).TotalSeconds);
            success.Add(_collectorLabels[i], ok ? 1 : 0);
        }
        _ownProcess?.Collect(families);
        if (_collectors.Length > 0)
        {
            families.Add(duration);
            families.Add(success);
            if (_nodeExporterMeta)
            {
                families.Add(Renamed(duration, "node_scrape_collector_duration_seconds", "node_exporter: Duration of a collector scrape."));
                families.Add(Renamed(success, "node_scrape_collector_success", "node_exporter: Whether a collector succeeded."));
            }
        }
        return new MetricBatch(Job, timestampMs, families);
    }

    private static MetricFamily Renamed(MetricFamily family, string name, string help)
    {
        var copy = new MetricFamily(name, help, family.Type, family.Samples.Count);
        copy.Samples.AddRange(family.Samples);
        return copy;
    }
}
