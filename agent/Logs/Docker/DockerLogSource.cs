using System.Net;
using Agent.Config;
using Agent.Docker.Engine;
using Agent.Docker;
using Agent.Logs.Processing;
using Agent.Pipeline;
using Agent.Telemetry;
using Microsoft.Extensions.Logging;

namespace Agent.Logs.Docker;

/// <summary>
/// Follows the log of every container that runs: those the tracker lists when it connects and
/// every one that starts later, one follower per container id — also one that has already
/// exited when the agent sees it (a short-lived job), whose log the engine keeps until the
/// container is removed: that one is read to its end without following. A container with an
/// acknowledged position resumes after it; one never seen is read from its beginning, except
/// at the agent's very first start, where [logs] read_from "end" means "from now". A stopped
/// container whose position reached the instant it finished has nothing left and is not asked
/// again. When a container stops its stream ends; its next start follows it again.
/// </summary>
public sealed class DockerLogSource : ILogSource
{
    /// <summary>Short: a container whose engine came back is read again within this, not after a long backoff.</summary>
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PruneInterval = TimeSpan.FromSeconds(10);
    /// <summary>Reads of stopped containers at once: a burst of short-lived jobs is drained a few at a time.</summary>
    private const int ConcurrentDrains = 8;

    private readonly ContainerTracker _tracker;
    private readonly Uri _endpoint;
    private readonly PositionsStore _positions;
    private readonly ILogSink _sink;
    private readonly ILogger _logger;
    private readonly LogCounters _counters;
    private readonly Gauge _followed;
    private readonly Label[] _labels;
    private readonly DockerLogSettings _settings;
    private readonly bool _fromBeginning;
    private readonly long _startedNs;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task> _followers = new(StringComparer.Ordinal);
    /// <summary>Followed containers that started again before their follower saw the previous run end.</summary>
    private readonly HashSet<string> _restarted = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private readonly SemaphoreSlim _drainGate = new(ConcurrentDrains, ConcurrentDrains);
    private readonly CancellationTokenSource _stop = new();
    private DockerSession? _session;
    private Task? _pruner;

    public DockerLogSource(LogsSection logs, Label[] baseLabels, ContainerTracker tracker, Uri endpoint, PositionsStore positions,
        ILogSink sink, SelfMetrics metrics, ILogger logger)
    {
        var config = logs.Docker;
        var own = new List<Label>();
        foreach (var (name, value) in config.Labels) own.Add(new Label(name, value));
        if (!config.Labels.ContainsKey("job")) own.Add(new Label("job", "docker"));
        _labels = Labels.Merge(Labels.Sorted(own), baseLabels);
        _settings = new DockerLogSettings(logs.MaxLineSize,
            config.DropRegexes.Count == 0 && !config.ExtractLevel ? LineProcessor.None : new LineProcessor(config.DropRegexes, config.ExtractLevel));
        _fromBeginning = (config.ReadFrom.Length > 0 ? config.ReadFrom : logs.ReadFrom) == "beginning";
        _tracker = tracker;
        _endpoint = endpoint;
        _positions = positions;
        _sink = sink;
        _logger = logger;
        _counters = new LogCounters(metrics);
        _followed = metrics.Gauge("agent_logs_containers_followed", "Containers whose log is being followed.");
        _startedNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
    }

    public void Start()
    {
        if (_pruner is not null) return;
        _tracker.Started += OnStarted;
        // Containers the tracker announced before we subscribed.
        foreach (var container in _tracker.All())
        {
            if (container.HasStarted) OnStarted(container);
        }
        _pruner = Task.Run(() => PruneLoopAsync(_stop.Token));
    }

    /// <summary>On the tracker's thread: only bookkeeping here, the reading runs on its own task.</summary>
    private void OnStarted(ContainerRecord container)
    {
        lock (_gate)
        {
            if (_stop.IsCancellationRequested) return;
            if (_followers.ContainsKey(container.Id))
            {
                _restarted.Add(container.Id);
                return;
            }
            var known = _positions.FindContainer(container.Id);
            var after = known ?? (_positions.FirstStart && !_fromBeginning ? _startedNs : 0);
            // Stopped, and delivered (or not wanted) up to the instant it finished: nothing to read.
            if (!container.Running && container.FinishedAtNs > 0 && container.FinishedAtNs <= after)
            {
                // Remembered, so that a later start does not take it for a container never seen.
                if (known is null) _positions.AdvanceContainer(container.Id, container.Name, after);
                return;
            }
            var follower = new DockerLogFollower(container, _labels, _settings, after, _positions, _counters);
            _followers[container.Id] = Task.Run(() => RunAsync(follower, markStart: known is null && after > 0, after, _stop.Token));
            _followed.Set(_followers.Count);
        }
    }

    /// <param name="markStart">
    /// Saves where a first start began (its lines before "now" are not wanted) at once, so that a
    /// crash before the first acknowledgement does not make the next start a first start again
    /// and skip what was written in between.
    /// </param>
    private static readonly TimeSpan DrainSettle = TimeSpan.FromSeconds(2);

    /// <summary>Reads a stopped container's log to its current end, a few containers at a time.</summary>
    private async Task DrainAsync(DockerLogFollower follower, DockerSession session, CancellationToken ct)
    {
        await _drainGate.WaitAsync(ct);
        try { await follower.FollowAsync(session, _sink, follow: false, ct); }
        finally { _drainGate.Release(); }
    }

    private async Task RunAsync(DockerLogFollower follower, bool markStart, long after, CancellationToken ct)
    {
        _logger.LogInformation("following the log of container {Name} ({Id})", follower.Name, follower.Id[..Math.Min(12, follower.Id.Length)]);
        if (markStart)
        {
            _positions.AdvanceContainer(follower.Id, follower.Name, after);
            _positions.Save();
        }
        var retry = TimeSpan.FromSeconds(1);
        var reported = false;
        while (!ct.IsCancellationRequested)
        {
            var follow = StillRunning(follower.Id);
            try
            {
                var session = await SessionAsync(ct);
                if (follow)
                {
                    await follower.FollowAsync(session, _sink, follow: true, ct);
                }
                else
                {
                    await DrainAsync(follower, session, ct);
                    // Under load the engine can report a container dead before its log copier has
                    // written the last lines (seen: the last 10 of 1,000); a second read after a
                    // pause resumes after the last line delivered and picks them up.
                    await Task.Delay(DrainSettle, ct);
                    await DrainAsync(follower, session, ct);
                }
                retry = TimeSpan.FromSeconds(1);
                reported = false;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (EngineApiException e) when (e.StatusCode == HttpStatusCode.NotImplemented)
            {
                // A log driver the engine cannot read back (none, or syslog and the like without
                // dual logging): asking again cannot help until the container runs again.
                _logger.LogWarning("log of container {Name} cannot be read through the engine: {Error}", follower.Name, e.EngineMessage);
                break;
            }
            catch (Exception e)
            {
                // One line per outage of this follower, not one per retry.
                if (!reported) _logger.LogWarning("log of container {Name}: {Error}; retrying", follower.Name, ErrorText.Of(e));
                reported = true;
            }
            lock (_gate)
            {
                var restarted = _restarted.Remove(follower.Id);
                var container = Find(follower.Id);
                if (container is null)
                {
                    // Removed: its log went with it.
                    _followers.Remove(follower.Id);
                    _followed.Set(_followers.Count);
                    return;
                }
                if (!restarted && !container.Running && !reported)
                {
                    // Stopped and read to its end: nothing more comes from this run.
                    _followers.Remove(follower.Id);
                    _followed.Set(_followers.Count);
                    follower.Finished(container.FinishedAtNs);
                    _logger.LogInformation("container {Name} stopped; its log was read to the end", follower.Name);
                    return;
                }
            }
            // Still running (its stop is not known yet, or it started again), or the read failed
            // while the container and its log are still there: look again shortly.
            try { await Task.Delay(retry, ct); }
            catch (OperationCanceledException) { break; }
            retry = retry * 2 > MaxRetry ? MaxRetry : retry * 2;
        }
        lock (_gate)
        {
            _followers.Remove(follower.Id);
            _restarted.Remove(follower.Id);
            _followed.Set(_followers.Count);
        }
    }

    private bool StillRunning(string id) => Find(id) is { Running: true };

    private ContainerRecord? Find(string id)
    {
        foreach (var container in _tracker.All())
        {
            if (container.Id == id) return container;
        }
        return null;
    }

    /// <summary>One client for every follower; connected (and the API version negotiated) on first use.</summary>
    private async Task<DockerSession> SessionAsync(CancellationToken ct)
    {
        if (_session is { } session) return session;
        await _connectGate.WaitAsync(ct);
        try
        {
            return _session ??= await DockerConnector.ConnectAsync(_endpoint, ct);
        }
        finally
        {
            _connectGate.Release();
        }
    }

    /// <summary>Positions of removed containers are dropped, once the tracker knows the engine's current list.</summary>
    private async Task PruneLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(PruneInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (!_tracker.FirstSync.IsCompleted || _tracker.LastError is not null) continue;
                var existing = new HashSet<string>(StringComparer.Ordinal);
                foreach (var container in _tracker.All()) existing.Add(container.Id);
                _positions.RetainContainers(existing.Contains);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops reading; lines already handed to the sink are the exporters' to flush. Idempotent.</summary>
    public async Task StopAsync()
    {
        Task[] running;
        lock (_gate)
        {
            if (!_stop.IsCancellationRequested) _stop.Cancel();
            running = [.. _followers.Values];
        }
        _tracker.Started -= OnStarted;
        await Task.WhenAll(running);
        if (_pruner is not null) await _pruner;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _session?.Dispose();
        _stop.Dispose();
        _connectGate.Dispose();
        _drainGate.Dispose();
    }
}
