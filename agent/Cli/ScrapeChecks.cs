using Agent.Collectors.Scrape;
using Agent.Config;
using Agent.Docker;
using Agent.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agent.Cli;

/// <summary>`agent check` for scrape targets: each static and discovered target scraped once, one line each.</summary>
internal static class ScrapeChecks
{
    /// <param name="docker">The tracker `check` already synced, or null when it does not follow Docker.</param>
    public static async Task TargetsAsync(AgentConfig config, ContainerTracker? docker, CheckReport report, CancellationToken ct)
    {
        var discovery = config.ScrapeDocker.Enabled && docker is not null && docker.FirstSync.IsCompletedSuccessfully;
        if (config.Scrape.Count == 0 && !discovery) return;
        if (config.RemoteWrite.Count == 0)
        {
            report.Warn("scrape", "no [[remote_write]]: scraped samples are only pushed, so targets are not scraped by `agent run`");
        }
        await using var manager = new ScrapeManager(config, new Discarded(), NullLogger.Instance, discovery ? docker : null);
        var targets = manager.StaticTargets();
        targets.AddRange(manager.DiscoveredTargets());
        if (targets.Count == 0)
        {
            report.Pass("scrape_docker", $"no running container labelled {DockerTargets.ScrapeLabel}=true");
            return;
        }
        var loops = targets.ConvertAll(manager.CreateLoop);
        var statuses = await Task.WhenAll(loops.ConvertAll(l => l.ScrapeOnceAsync(ct)));
        for (var i = 0; i < loops.Count; i++)
        {
            var target = loops[i].Target;
            var s = statuses[i];
            var ms = $"{s.Duration.TotalMilliseconds:F0} ms";
            if (s.Up) report.Pass($"scrape {target.Job}", $"{Exporters.Http.EndpointUrl.Display(target.Url)}: HTTP {s.HttpStatus}, {s.Samples} samples in {ms}");
            else report.Fail($"scrape {target.Job}", $"{Exporters.Http.EndpointUrl.Display(target.Url)}: {(s.HttpStatus == 0 ? "no response" : $"HTTP {s.HttpStatus}")} after {ms}: {s.Error}");
            await loops[i].DisposeAsync();
        }
    }

    /// <summary>`check` scrapes to report, not to push.</summary>
    private sealed class Discarded : IMetricSink
    {
        public void Enqueue(MetricBatch batch)
        {
        }
    }
}
