using Agent.Docker;
using Agent.Pipeline;

namespace Agent.Collectors.Containers;

/// <summary>
/// What cAdvisor cannot say: per container name, its Docker state, how its last run ended and
/// how often it was restarted, kept for exited containers until they are removed. With these
/// the "container exited unexpectedly" alert is one rule (packaging/monitor/rules.yml):
/// container_state{state=~"exited|dead"} == 1 and on(host, name) (container_last_exit_code != 0 or container_oom_killed == 1).
/// </summary>
public sealed class ContainerLifecycleCollector(Func<IReadOnlyList<ContainerRecord>> containers) : ICollector
{
    /// <summary>Every state is reported 0 or 1, so a rule can match one without knowing the others.</summary>
    private static readonly string[] States = ["created", "running", "paused", "restarting", "exited", "dead"];

    /// <summary>Label arrays per container name, built when a name is first seen.</summary>
    private readonly Dictionary<string, NameLabels> _labels = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public string Name => "container_lifecycle";

    public void Collect(List<MetricFamily> into)
    {
        var all = containers();
        if (all.Count == 0)
        {
            _labels.Clear();
            return;
        }
        var state = new MetricFamily("container_state", "Docker state of the container: 1 for its current state, 0 for the others.", MetricType.Gauge, all.Count * States.Length);
        var exitCode = new MetricFamily("container_last_exit_code", "Exit code of the container's last run (0 while it never exited).", MetricType.Gauge, all.Count);
        var oom = new MetricFamily("container_oom_killed", "Whether the container's last run was ended by the OOM killer.", MetricType.Gauge, all.Count);
        var restarts = new MetricFamily("container_restarts_total", "Restarts of the container by its restart policy.", MetricType.Counter, all.Count);
        _seen.Clear();
        foreach (var c in all)
        {
            // Two containers cannot share a name; during a rename the event stream may briefly say so.
            if (!_seen.Add(c.Name)) continue;
            var labels = LabelsFor(c.Name);
            for (var i = 0; i < States.Length; i++)
            {
                state.Add(labels.States[i], c.State == States[i] ? 1 : 0);
            }
            exitCode.Add(labels.Name, c.ExitCode);
            oom.Add(labels.Name, c.OomKilled ? 1 : 0);
            restarts.Add(labels.Name, c.RestartCount);
        }
        // Names gone from the engine are forgotten, so label arrays live only as long as containers.
        if (_labels.Count > _seen.Count)
        {
            foreach (var name in _labels.Keys.Where(n => !_seen.Contains(n)).ToList()) _labels.Remove(name);
        }
        into.Add(state);
        into.Add(exitCode);
        into.Add(oom);
        into.Add(restarts);
    }

    private NameLabels LabelsFor(string name)
    {
        if (_labels.TryGetValue(name, out var labels)) return labels;
        var states = new Label[States.Length][];
        for (var i = 0; i < States.Length; i++) states[i] = [new Label("name", name), new Label("state", States[i])];
        labels = new NameLabels([new Label("name", name)], states);
        _labels[name] = labels;
        return labels;
    }

    private sealed record NameLabels(Label[] Name, Label[][] States);
}
