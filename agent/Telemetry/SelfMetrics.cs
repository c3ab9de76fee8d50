using System.Collections.Concurrent;
using Agent.Pipeline;

namespace Agent.Telemetry;

/// <summary>
/// The agent's own agent_* metrics. Handles are created once (at start-up or first use)
/// and then updated lock-free; <see cref="Snapshot"/> renders them for /metrics.
/// </summary>
public sealed class SelfMetrics
{
    private readonly ConcurrentDictionary<string, Entry> _families = new(StringComparer.Ordinal);
    private readonly List<Collectors.ICollector> _collectors = [];
    private readonly Lock _collectorsGate = new();

    /// <summary>A collector whose families join every snapshot (the agent's process_* family).</summary>
    public void AddCollector(Collectors.ICollector collector)
    {
        lock (_collectorsGate) _collectors.Add(collector);
    }

    public Counter Counter(string name, string help, params Label[] labels) =>
        (Counter)Get(name, help, MetricType.Counter, labels, static () => new Counter());

    public Gauge Gauge(string name, string help, params Label[] labels) =>
        (Gauge)Get(name, help, MetricType.Gauge, labels, static () => new Gauge());

    private Instrument Get(string name, string help, MetricType type, Label[] labels, Func<Instrument> create)
    {
        var entry = _families.GetOrAdd(name, _ => new Entry(help, type));
        if (entry.Type != type)
        {
            throw new InvalidOperationException($"self-metric {name} registered as {entry.Type} and {type}");
        }
        var sorted = Labels.Sorted(labels);
        var key = LabelKey(sorted);
        lock (entry)
        {
            if (!entry.Series.TryGetValue(key, out var series))
            {
                series = (sorted, create());
                entry.Series[key] = series;
            }
            return series.Instrument;
        }
    }

    /// <summary>Drops one series (a closed file's lag): a gone thing must not report its last value forever.</summary>
    public void Remove(string name, params Label[] labels)
    {
        if (!_families.TryGetValue(name, out var entry)) return;
        var key = LabelKey(Labels.Sorted(labels));
        lock (entry) entry.Series.Remove(key);
    }

    public IReadOnlyList<MetricFamily> Snapshot()
    {
        var names = _families.Keys.ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        var result = new List<MetricFamily>(names.Length);
        foreach (var name in names)
        {
            var entry = _families[name];
            var family = new MetricFamily(name, entry.Help, entry.Type);
            lock (entry)
            {
                foreach (var (labels, instrument) in entry.Series.Values)
                {
                    family.Add(labels, instrument.Value);
                }
            }
            result.Add(family);
        }
        // Collectors keep reused buffers: /metrics and the collection loop may snapshot at once.
        lock (_collectorsGate)
        {
            foreach (var collector in _collectors) collector.Collect(result);
        }
        return result;
    }

    private static string LabelKey(Label[] labels)
    {
        if (labels.Length == 0) return string.Empty;
        var sb = new System.Text.StringBuilder();
        foreach (var l in labels)
        {
            sb.Append(l.Name).Append('\u0000').Append(l.Value).Append('\u0001');
        }
        return sb.ToString();
    }

    private sealed class Entry(string help, MetricType type)
    {
        public string Help { get; } = help;
        public MetricType Type { get; } = type;
        public Dictionary<string, (Label[] Labels, Instrument Instrument)> Series { get; } = new(StringComparer.Ordinal);
    }
}

public abstract class Instrument
{
    public abstract double Value { get; }
}

/// <summary>A monotonically increasing self-metric.</summary>
public sealed class Counter : Instrument
{
    private long _value;

    public override double Value => Interlocked.Read(ref _value);

    public void Add(long n = 1) => Interlocked.Add(ref _value, n);
}

/// <summary>A self-metric that goes up and down.</summary>
public sealed class Gauge : Instrument
{
    private double _value;

    public override double Value => Volatile.Read(ref _value);

    public void Set(double value) => Volatile.Write(ref _value, value);
}
