using System.Threading.Channels;
using Agent.Collectors.Containers;
using Agent.Docker.Engine;
using Agent.Telemetry;
using Microsoft.Extensions.Logging;

namespace Agent.Docker;

/// <summary>
/// The engine's containers as the agent knows them: one list at connect, then the events
/// stream keeps them current (start, die, oom, stop, destroy...), so collection cycles never
/// call the API. Each event re-inspects its container: the inspect is the truth, the event
/// only says when to look. When the engine is missing or goes away the tracker says so
/// (agent_docker_up 0, one log line) and keeps reconnecting; metrics of exited containers
/// stay until the container is removed.
/// </summary>
public sealed class ContainerTracker : IContainerInventory, IAsyncDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly Uri _endpoint;
    private readonly ILogger _logger;
    private readonly Gauge _up;
    private readonly Counter _reconnects;
    private readonly Counter _events;
    private readonly Dictionary<string, ContainerRecord> _byId = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstSync = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ContainerInfo[] _running = [];
    private volatile ContainerRecord[] _all = [];
    private Task? _loop;
    private int _disposed;

    public ContainerTracker(Uri endpoint, SelfMetrics self, ILogger logger)
    {
        _endpoint = endpoint;
        _logger = logger;
        _up = self.Gauge("agent_docker_up", "Whether the Docker engine answered and its events are being followed.");
        _reconnects = self.Counter("agent_docker_reconnects_total", "Connections to the Docker engine lost or refused.");
        _events = self.Counter("agent_docker_events_total", "Container events received from the Docker engine.");
    }

    /// <summary>
    /// Raised (on the tracker's thread) for every container that has run: at each (re)connect for
    /// every listed container that ever started, and on each start, also when it has already
    /// exited by the time it is inspected (its log is still there until it is removed).
    /// </summary>
    public event Action<ContainerRecord>? Started;

    /// <summary>Raised (on the tracker's thread) after the set of containers or any container's state changed.</summary>
    public event Action? Changed;

    /// <summary>Completes when the first list of containers is known.</summary>
    public Task FirstSync => _firstSync.Task;

    /// <summary>"20.10.24 (API 1.41)" once connected.</summary>
    public string? Engine { get; private set; }

    /// <summary>The last connection error, null while connected.</summary>
    public string? LastError { get; private set; }

    public IReadOnlyList<ContainerInfo> Running() => _running;

    /// <summary>Every container the engine has not removed yet, running or not.</summary>
    public IReadOnlyList<ContainerRecord> All() => _all;

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromSeconds(1);
        var wasUp = true;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var session = await DockerConnector.ConnectAsync(_endpoint, ct);
                _logger.LogInformation("docker engine {Version} at {Endpoint}, API {Api}", session.EngineVersion, _endpoint, session.ApiVersion);
                backoff = TimeSpan.FromSeconds(1);
                Engine = $"{session.EngineVersion} (API {session.ApiVersion})";
                await FollowAsync(session, () => { wasUp = true; LastError = null; _up.Set(1); }, ct);
                throw new IOException("events stream ended");
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _up.Set(0);
                _reconnects.Add();
                LastError = Telemetry.ErrorText.Of(e);
                // One line per outage, not one per retry.
                if (wasUp) _logger.LogWarning("docker engine at {Endpoint} unavailable: {Error}; retrying", _endpoint, LastError);
                wasUp = false;
                try { await Task.Delay(backoff, ct); }
                catch (OperationCanceledException) { return; }
                backoff = backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
            }
        }
    }

    private async Task FollowAsync(DockerSession session, Action connected, CancellationToken ct)
    {
        var messages = Channel.CreateUnbounded<EngineEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var streamStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Subscribed before listing, and replaying a little history, so a container that starts
        // or dies while the list is being read is still seen. Read on its own task into a
        // channel, in order, so the engine never waits on a slow list of many containers.
        var events = await session.SubscribeAsync(DateTimeOffset.UtcNow.AddSeconds(-2).ToUnixTimeSeconds(), streamStop.Token);
        var stream = Task.Run(async () =>
        {
            try
            {
                await foreach (var message in events) messages.Writer.TryWrite(message);
                messages.Writer.TryComplete(new IOException("events stream ended"));
            }
            catch (Exception e)
            {
                messages.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        try
        {
            var listed = await session.ListContainerIdsAsync(ct);
            var fresh = new List<ContainerRecord>(listed.Count);
            foreach (var id in listed)
            {
                if (await session.InspectAsync(id, ct) is { } record) fresh.Add(record);
            }
            lock (_gate)
            {
                _byId.Clear();
                foreach (var r in fresh) _byId[r.Id] = r;
                Publish();
            }
            Changed?.Invoke();
            connected();
            _firstSync.TrySetResult();
            foreach (var r in fresh)
            {
                if (r.HasStarted) Started?.Invoke(r);
            }
            await foreach (var message in messages.Reader.ReadAllAsync(ct))
            {
                await HandleAsync(session, message, ct);
            }
        }
        finally
        {
            await streamStop.CancelAsync();
            await stream;
        }
        if (messages.Reader.Completion.Exception?.InnerException is { } error) throw error;
    }

    private async Task HandleAsync(DockerSession session, EngineEvent message, CancellationToken ct)
    {
        var (id, action) = message;
        // exec_start, exec_die, health_status... carry a suffix and say nothing about the container's own state.
        if (action.StartsWith("exec_", StringComparison.Ordinal) || action.StartsWith("health_status", StringComparison.Ordinal)
            || action is "attach" or "detach" or "resize" or "top" or "copy" or "archive-path" or "extract-to-dir" or "export" or "commit")
        {
            return;
        }
        _events.Add();
        if (action == "destroy")
        {
            bool removed;
            lock (_gate)
            {
                removed = _byId.Remove(id);
                if (removed) Publish();
            }
            if (removed) Changed?.Invoke();
            return;
        }
        var record = await session.InspectAsync(id, ct);
        lock (_gate)
        {
            if (record is null) _byId.Remove(id);
            else _byId[id] = record;
            Publish();
        }
        Changed?.Invoke();
        if (action == "start" && record is not null) Started?.Invoke(record);
    }

    /// <summary>Swaps in new snapshots; readers on the collection thread never see a half-updated set.</summary>
    private void Publish()
    {
        var all = new ContainerRecord[_byId.Count];
        _byId.Values.CopyTo(all, 0);
        Array.Sort(all, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        var running = new List<ContainerInfo>(all.Length);
        foreach (var r in all)
        {
            if (r.Running && r.Pid > 0) running.Add(new ContainerInfo(r.Id, r.Name, r.Image, r.Pid, r.StartedAt, r.Labels) { UpperDir = r.UpperDir, LogPath = r.LogPath });
        }
        _all = all;
        _running = [.. running];
    }

    /// <summary>Idempotent: DockerService stops the tracker, and the host's container disposes the singleton again.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        _stop.Dispose();
    }
}
