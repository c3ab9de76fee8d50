namespace Agent.Pipeline;

/// <summary>
/// The most recent batch of each job, for the pull endpoint and `check --metrics`.
/// Batches are immutable once published, so readers need no lock beyond the swap.
/// </summary>
public sealed class LatestMetrics
{
    private readonly Dictionary<string, MetricBatch> _byJob = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public void Publish(MetricBatch batch)
    {
        lock (_gate) _byJob[batch.Job] = batch;
    }

    public IReadOnlyList<MetricFamily> Families()
    {
        lock (_gate)
        {
            var jobs = _byJob.Keys.ToArray();
            Array.Sort(jobs, StringComparer.Ordinal);
            var families = new List<MetricFamily>();
            var byName = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var job in jobs)
            {
                foreach (var family in _byJob[job].Families)
                {
                    // Jobs share meta families (agent_scrape_collector_*); the text format
                    // allows each family once, so their samples are merged into a copy.
                    if (byName.TryGetValue(family.Name, out var at))
                    {
                        var merged = new MetricFamily(family.Name, family.Help, family.Type);
                        merged.Samples.AddRange(families[at].Samples);
                        merged.Samples.AddRange(family.Samples);
                        families[at] = merged;
                        continue;
                    }
                    byName[family.Name] = families.Count;
                    families.Add(family);
                }
            }
            return families;
        }
    }
}
