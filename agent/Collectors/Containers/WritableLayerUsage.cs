using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Containers;

/// <summary>
/// container_fs_usage_bytes and container_fs_limit_bytes per container, measured off the
/// collection path as cAdvisor's disk-usage housekeeping does: a container's writable layer
/// (overlay2 upper dir) and its directory under the Docker root (config and json log) are walked
/// on a worker thread at most once per <see cref="Period"/>, one walk at a time, each stopped
/// after <see cref="Budget"/>; a cycle only reads the last complete figure. The limit is the
/// capacity of the layer's filesystem: Docker imposes no quota, so cAdvisor reports that too.
/// </summary>
internal sealed class WritableLayerUsage
{
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    public readonly record struct Figure(long Bytes, long Limit, int DeviceMajor, int DeviceMinor);

    private sealed class State(string[] roots)
    {
        public readonly string[] Roots = roots;
        public Figure? Last;
        public long StartedAt = long.MinValue;
    }

    private readonly Dictionary<string, State> _states = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private readonly TimeSpan _period;
    private readonly TimeSpan _budget;
    private readonly Action<Action> _start;
    private bool _walking;

    /// <param name="start">Runs a walk; the agent hands it to the thread pool, tests run it inline.</param>
    public WritableLayerUsage(TimeProvider clock, TimeSpan period, TimeSpan budget, Action<Action>? start = null)
    {
        _clock = clock;
        _period = period;
        _budget = budget;
        _start = start ?? (walk => Task.Run(walk));
    }

    /// <summary>
    /// The directories measured for a container: its upper dir and the directory of its json
    /// log, under [host] root_path when the agent sees the host's filesystem there.
    /// </summary>
    public static string[] RootsOf(ContainerInfo info, string rootPath)
    {
        if (info.UpperDir.Length == 0) return [];
        var upper = UnderRoot(info.UpperDir, rootPath);
        return Path.GetDirectoryName(info.LogPath) is { Length: > 0 } logDir ? [upper, UnderRoot(logDir, rootPath)] : [upper];
    }

    private static string UnderRoot(string path, string rootPath) => rootPath is "/" or "" ? path : Path.Join(rootPath, path);

    /// <summary>The last complete figure for the container, starting a walk when one is due and none runs.</summary>
    public bool TryGet(string id, string[] roots, out Figure figure)
    {
        State? due = null;
        lock (_gate)
        {
            if (!_states.TryGetValue(id, out var state)) _states[id] = state = new State(roots);
            var now = _clock.GetTimestamp();
            if (!_walking && roots.Length > 0 && (state.StartedAt == long.MinValue || _clock.GetElapsedTime(state.StartedAt, now) >= _period))
            {
                _walking = true;
                state.StartedAt = now;
                due = state;
            }
        }
        if (due is not null) _start(() => Walk(due));
        lock (_gate)
        {
            if (_states.TryGetValue(id, out var state) && state.Last is { } last)
            {
                figure = last;
                return true;
            }
        }
        figure = default;
        return false;
    }

    /// <summary>Drops a gone container's figure; a walk still running for it finds its state detached.</summary>
    public void Forget(string id)
    {
        lock (_gate) _states.Remove(id);
    }

    private void Walk(State state)
    {
        try
        {
            if (DirectoryUsage.Measure(state.Roots, _budget, out var usage) != DirectoryUsage.Outcome.Complete) return;
            if (!Statvfs.TryGet(state.Roots[0], out var fs, out _)) return;
            var figure = new Figure(usage.Bytes, (long)(fs.Blocks * fs.FragmentSize), usage.DeviceMajor, usage.DeviceMinor);
            lock (_gate) state.Last = figure;
        }
        finally
        {
            lock (_gate) _walking = false;
        }
    }
}
