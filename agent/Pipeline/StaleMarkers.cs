namespace Agent.Pipeline;

/// <summary>
/// Prometheus ends a scraped series the moment a scrape lacks it; pushed series get no such
/// treatment and linger for the 5-minute lookback unless the sender says they ended. This
/// remembers one job's series from its last batch and, for each one missing now, adds the
/// stale marker the remote-write spec defines, so a removed container or an exited process
/// group leaves dashboards and alerts at once. One instance per job, used by one thread.
/// </summary>
public sealed class StaleMarkers
{
    /// <summary>The NaN payload Prometheus reads as "series ended" (value.StaleNaN).</summary>
    public static readonly double StaleNaN = BitConverter.Int64BitsToDouble(0x7ff0000000000002);

    private HashSet<SeriesKey> _previous = new(SeriesKeyComparer.Instance);
    private HashSet<SeriesKey> _current = new(SeriesKeyComparer.Instance);

    public static bool IsStale(double value) => BitConverter.DoubleToInt64Bits(value) == 0x7ff0000000000002;

    /// <summary>The batch itself when nothing ended, else a copy with one stale family per ended name.</summary>
    public MetricBatch Mark(MetricBatch batch)
    {
        _current.Clear();
        foreach (var family in batch.Families)
        {
            foreach (var sample in family.Samples) _current.Add(new SeriesKey(family.Name, sample.Labels));
        }
        Dictionary<string, MetricFamily>? ended = null;
        foreach (var key in _previous)
        {
            if (_current.Contains(key)) continue;
            ended ??= new Dictionary<string, MetricFamily>(StringComparer.Ordinal);
            if (!ended.TryGetValue(key.Name, out var family))
            {
                family = new MetricFamily(key.Name, "", MetricType.Untyped, 1);
                ended[key.Name] = family;
            }
            family.Add(key.Labels, StaleNaN);
        }
        (_previous, _current) = (_current, _previous);
        if (ended is null) return batch;
        return new MetricBatch(batch.Job, batch.TimestampMs, [.. batch.Families, .. ended.Values]);
    }

    private readonly record struct SeriesKey(string Name, Label[] Labels);

    /// <summary>By content: collectors may build a series' label array anew each cycle.</summary>
    private sealed class SeriesKeyComparer : IEqualityComparer<SeriesKey>
    {
        public static readonly SeriesKeyComparer Instance = new();

        public bool Equals(SeriesKey x, SeriesKey y)
        {
            if (!string.Equals(x.Name, y.Name, StringComparison.Ordinal)) return false;
            if (ReferenceEquals(x.Labels, y.Labels)) return true;
            if (x.Labels.Length != y.Labels.Length) return false;
            for (var i = 0; i < x.Labels.Length; i++)
            {
                if (!string.Equals(x.Labels[i].Name, y.Labels[i].Name, StringComparison.Ordinal)
                    || !string.Equals(x.Labels[i].Value, y.Labels[i].Value, StringComparison.Ordinal)) return false;
            }
            return true;
        }

        public int GetHashCode(SeriesKey key)
        {
            var hash = new HashCode();
            hash.Add(key.Name, StringComparer.Ordinal);
            foreach (var label in key.Labels)
            {
                hash.Add(label.Name, StringComparer.Ordinal);
                hash.Add(label.Value, StringComparer.Ordinal);
            }
            return hash.ToHashCode();
        }
    }
}
