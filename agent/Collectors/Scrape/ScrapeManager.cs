using Agent.Config;
using Agent.Docker;
using Agent.Pipeline;
using Microsoft.Extensions.Logging;

namespace Agent.Collectors.Scrape;

/// <summary>
/// Every scrape target of the agent: the static ones of [[scrape]] jobs, and the containers
/// [scrape_docker] finds through the tracker's change notifications (no polling of its own).
/// Each target runs in its own <see cref="ScrapeLoop"/>; a container that stops or loses its
/// label has its loop stopped with stale markers for everything it sent.
/// </summary>
public sealed class ScrapeManager : IAsyncDisposable
{
    private readonly AgentConfig _config;
    private readonly IMetricSink _sink;
    private readonly ILogger _logger;
    private readonly ContainerTracker? _docker;
    private readonly Dictionary<ScrapeSettings, ScrapeHttp> _clients = [];
    private readonly List<ScrapeLoop> _static = [];
    private readonly Dictionary<string, ScrapeLoop> _discovered = new(StringComparer.Ordinal);
    private readonly HashSet<string> _skipLogged = new(StringComparer.Ordinal);
    private readonly List<Task> _stopping = [];
    private readonly Lock _gate = new();
    private bool _started;
    private bool _disposed;

    /// <param name="docker">The tracker [containers] or [logs.docker] runs; null leaves discovery off.</param>
    public ScrapeManager(AgentConfig config, IMetricSink sink, ILogger logger, ContainerTracker? docker)
    {
        _config = config;
        _sink = sink;
        _logger = logger;
        _docker = config.ScrapeDocker.Enabled ? docker : null;
    }

    /// <summary>Whether a config scrapes anything: a [[scrape]] job, or Docker discovery with a tracker to follow.</summary>
    public static bool Wanted(AgentConfig config) => config.Scrape.Count > 0 || (config.ScrapeDocker.Enabled && config.FollowsDocker);

    public IReadOnlyList<ScrapeLoop> Loops
    {
        get { lock (_gate) return [.. _static, .. _discovered.Values]; }
    }

    /// <summary>The [[scrape]] jobs' targets, in config order.</summary>
    public List<ScrapeTarget> StaticTargets()
    {
        var targets = new List<ScrapeTarget>();
        foreach (var job in _config.Scrape)
        {
            foreach (var url in job.TargetUrls) targets.Add(new ScrapeTarget(job.JobName, url, job));
        }
        return targets;
    }

    /// <summary>The containers asking to be scraped now.</summary>
    public List<ScrapeTarget> DiscoveredTargets() =>
        _docker is null ? [] : DockerTargets.From(_docker.All(), _config.ScrapeDocker, Skipped);

    /// <summary>A loop for one target, sharing its job's connection pool; not started.</summary>
    public ScrapeLoop CreateLoop(ScrapeTarget target)
    {
        lock (_gate)
        {
            if (!_clients.TryGetValue(target.Settings, out var http)) _clients[target.Settings] = http = new ScrapeHttp(target.Settings);
            return new ScrapeLoop(target, http, _sink, _logger);
        }
    }

    public void Start()
    {
        lock (_gate)
        {
            if (_started) return;
            _started = true;
            foreach (var target in StaticTargets())
            {
                var loop = CreateLoop(target);
                _static.Add(loop);
                loop.Start();
            }
        }
        if (_docker is null) return;
        _docker.Changed += Sync;
        Sync();
    }

    /// <summary>Runs on the tracker's thread: whatever goes wrong here is logged, never thrown into the tracker.</summary>
    private void Sync()
    {
        try
        {
            Reconcile();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "scrape_docker: updating targets failed");
        }
    }

    private void Reconcile()
    {
        lock (_gate)
        {
            if (_disposed) return;
            var wanted = new Dictionary<string, ScrapeTarget>(StringComparer.Ordinal);
            foreach (var target in DiscoveredTargets()) wanted.TryAdd(target.Key, target);
            foreach (var (key, loop) in _discovered.ToArray())
            {
                if (wanted.ContainsKey(key)) continue;
                _discovered.Remove(key);
                _logger.LogInformation("scrape {Job} {Url}: container gone, series ended", loop.Target.Job, loop.Target.Url);
                _stopping.Add(loop.StopAsync(endSeries: true).AsTask());
            }
            foreach (var (key, target) in wanted)
            {
                if (_discovered.ContainsKey(key)) continue;
                var loop = CreateLoop(target);
                _discovered[key] = loop;
                _logger.LogInformation("scrape {Job} {Url}: found container {Container}", target.Job, target.Url,
                    Array.Find(target.Labels, l => l.Name == "container").Value);
                loop.Start();
            }
            _stopping.RemoveAll(t => t.IsCompleted);
        }
    }

    private void Skipped(ContainerRecord container, string reason)
    {
        lock (_skipLogged)
        {
            if (!_skipLogged.Add($"{container.Id}\n{reason}")) return;
        }
        _logger.LogWarning("container {Container} has {Label}=true but is not scraped: {Reason}", container.Name, DockerTargets.ScrapeLabel, reason);
    }

    /// <summary>Stops every loop without ending its series (they continue when the agent is back).</summary>
    public async ValueTask DisposeAsync()
    {
        ScrapeLoop[] loops;
        Task[] stopping;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            loops = [.. _static, .. _discovered.Values];
            stopping = [.. _stopping];
        }
        if (_docker is not null) _docker.Changed -= Sync;
        await Task.WhenAll(stopping);
        foreach (var loop in loops) await loop.DisposeAsync();
        foreach (var http in _clients.Values) http.Dispose();
    }
}
