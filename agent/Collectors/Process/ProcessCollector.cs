using Agent.Collectors.Host.Procfs;
using Agent.Collectors.Process.Procfs;
using Agent.Config;
using Agent.Pipeline;

namespace Agent.Collectors.Process;

/// <summary>
/// process-exporter's namedprocess_* families from one pass over /proc per cycle. New
/// processes — a (pid, start time) not seen before — are read in full once (comm, cmdline,
/// uid) and matched to the first group that wants them; unmatched children of a tracked
/// process join its group (process-exporter's -children); the rest are ignored and not read
/// again while they live. State is kept for live processes only, plus each group's totals.
/// </summary>
public sealed class ProcessCollector : ICollector
{
    private readonly PidFiles _files;
    private readonly ProcessReader _reader;
    private readonly GroupMatcher[] _matchers;
    private readonly UserNames _users;
    private readonly bool _threads;
    private readonly bool _smaps;
    private readonly bool _recheck;
    private readonly bool _children;
    private readonly TimeProvider _clock;
    private readonly Dictionary<int, TrackedProcess> _processes = new(1024);
    private readonly Dictionary<string, GroupState> _groupsByName = new(StringComparer.Ordinal);
    private readonly List<GroupState> _groups = [];
    private readonly List<int> _pids = new(1024);
    private readonly List<TrackedProcess> _pending = [];
    private readonly List<int> _gone = [];
    private readonly List<string> _goneThreadNames = [];
    private int _cycle;
    private double _countFrom;
    private int _scrapeErrors;
    private int _readErrors;
    private int _partialErrors;

    public ProcessCollector(HostPaths paths, ProcessSection settings, TimeProvider? clock = null)
    {
        _files = new PidFiles(paths.Proc);
        _matchers = settings.Matchers.Count > 0 ? [.. settings.Matchers] : [GroupMatcher.Default()];
        _users = new UserNames(Path.Combine(paths.Root, "etc", "passwd"));
        _threads = settings.Threads;
        _smaps = settings.Smaps;
        _recheck = settings.Recheck;
        _children = settings.Children;
        _clock = clock ?? TimeProvider.System;
        _reader = new ProcessReader(_files, _threads, _smaps, ReadBootTime(paths));
    }

    public string Name => "process";

    public void Collect(List<MetricFamily> into)
    {
        _cycle++;
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        if (_cycle == 1) _countFrom = now;
        if (!_files.TryListPids(_pids))
        {
            _scrapeErrors++;
            ProcessFamilies.AddErrors(into, _scrapeErrors, _readErrors, _partialErrors);
            return;
        }
        _reader.PartialErrors = 0;
        _reader.ReadErrors = 0;
        foreach (var pid in _pids) Read(pid);
        Resolve();
        Aggregate();
        _partialErrors += _reader.PartialErrors;
        _readErrors += _reader.ReadErrors;
        ProcessFamilies.AddGroups(into, _groups, _cycle, _threads, _smaps);
        ProcessFamilies.AddErrors(into, _scrapeErrors, _readErrors, _partialErrors);
        ForgetGoneThreadNames();
        ForgetEmptyPerProcessGroups();
    }

    private void Read(int pid)
    {
        if (!_reader.TryReadStat(pid, out var stat, out var comm)) return;
        _processes.TryGetValue(pid, out var process);
        if (process is not null && process.StartTicks == stat.StartTicks && process.State == TrackState.Ignored && !_recheck)
        {
            process.SeenCycle = _cycle;
            return;
        }
        var isNew = process is null || process.StartTicks != stat.StartTicks || process.State != TrackState.Tracked;
        string? commText = null;
        if (isNew)
        {
            // Copied now: the next read reuses the buffer comm points into.
            commText = ProcessReader.CommString(comm);
            process = new TrackedProcess(pid, stat.StartTicks);
        }
        process!.SeenCycle = _cycle;
        if (!_reader.TryReadMetrics(process, stat, isNew, _countFrom, out var uid))
        {
            // Gone or unreadable: dropped at the end of the cycle, like an exited process.
            process.SeenCycle = -1;
            return;
        }
        if (!isNew) return;
        var cmdline = _reader.TryReadCmdline(pid);
        if (cmdline is null) return;
        process.Identity = new ProcessIdentity(pid, commText!, cmdline, uid);
        process.State = TrackState.Pending;
        _processes[pid] = process;
        _pending.Add(process);
    }

    /// <summary>First matching group wins; then, with children on, unmatched processes follow a tracked ancestor.</summary>
    private void Resolve()
    {
        foreach (var process in _pending)
        {
            foreach (var matcher in _matchers)
            {
                if (matcher.Match(process.Identity!, _users) is { } name)
                {
                    Track(process, GroupFor(name, matcher.Template.UsesPid));
                    break;
                }
            }
        }
        foreach (var process in _pending)
        {
            if (process.State == TrackState.Pending)
            {
                if (_children) FollowParent(process, depth: 0);
                else process.State = TrackState.Ignored;
            }
            process.Identity = null;
        }
        _pending.Clear();
    }

    private GroupState? FollowParent(TrackedProcess process, int depth)
    {
        GroupState? group = null;
        if (depth < 1024 && _processes.TryGetValue(process.ParentPid, out var parent) && parent.SeenCycle == _cycle && parent != process)
        {
            group = parent.State switch
            {
                TrackState.Tracked => parent.Group,
                TrackState.Pending => FollowParent(parent, depth + 1),
                _ => null,
            };
        }
        if (group is null) process.State = TrackState.Ignored;
        else Track(process, group);
        return group;
    }

    private static void Track(TrackedProcess process, GroupState group)
    {
        process.State = TrackState.Tracked;
        process.Group = group;
    }

    private GroupState GroupFor(string name, bool perProcess)
    {
        if (!_groupsByName.TryGetValue(name, out var group))
        {
            group = new GroupState(name) { PerProcess = perProcess };
            _groupsByName[name] = group;
            _groups.Add(group);
        }
        else if (!perProcess)
        {
            group.PerProcess = false;
        }
        return group;
    }

    /// <summary>Groups remembered between cycles (for the bounded-state test).</summary>
    internal int GroupCount => _groups.Count;

    /// <summary>Drops per-process groups whose process is gone; their series end with the next push's stale markers.</summary>
    private void ForgetEmptyPerProcessGroups()
    {
        for (var i = _groups.Count - 1; i >= 0; i--)
        {
            var group = _groups[i];
            if (!group.PerProcess || group.Procs > 0) continue;
            _groupsByName.Remove(group.Name);
            _groups.RemoveAt(i);
        }
    }

    /// <summary>Sums live tracked processes into their groups and forgets the processes that are gone.</summary>
    private void Aggregate()
    {
        foreach (var group in _groups) group.StartCycle();
        foreach (var (pid, process) in _processes)
        {
            if (process.SeenCycle != _cycle)
            {
                _gone.Add(pid);
                continue;
            }
            if (process.State != TrackState.Tracked) continue;
            var group = process.Group!;
            group.Add(process);
            if (process.Threads is null) continue;
            foreach (var thread in process.Threads.Values)
            {
                if (thread.SeenCycle == _cycle) group.AddThread(thread, _cycle);
            }
        }
        foreach (var pid in _gone) _processes.Remove(pid);
        _gone.Clear();
        foreach (var group in _groups)
        {
            group.Totals.Add(group.Growth);
            foreach (var state in group.ThreadNames.Values)
            {
                if (state.SeenCycle != _cycle) continue;
                if (state.PreviousCycle != _cycle - 1) state.Totals = default;
                state.Totals.Add(state.Growth);
            }
        }
    }

    private void ForgetGoneThreadNames()
    {
        foreach (var group in _groups)
        {
            foreach (var (name, state) in group.ThreadNames)
            {
                if (state.SeenCycle != _cycle) _goneThreadNames.Add(name);
            }
            foreach (var name in _goneThreadNames) group.ThreadNames.Remove(name);
            _goneThreadNames.Clear();
        }
    }

    private static double ReadBootTime(HostPaths paths) =>
        new ProcFileReader(8192).TryRead(paths.ProcFile("stat"), out var content) && ProcNumbers.TryFindKeyed(content, "btime"u8, out var btime) ? btime : 0;
}
