using Agent.Pipeline;

namespace Agent.Tests.Support;

/// <summary>The metric pipeline's entry as a list: what a source handed over, in order.</summary>
public sealed class RecordingSink : IMetricSink
{
    private readonly List<MetricBatch> _batches = [];

    public IReadOnlyList<MetricBatch> Batches { get { lock (_batches) return [.. _batches]; } }

    public void Enqueue(MetricBatch batch)
    {
        lock (_batches) _batches.Add(batch);
    }

    /// <summary>Every (name, labels as text, value) of the batches so far.</summary>
    public List<(string Name, string Labels, double Value, long TimestampMs)> Samples()
    {
        var samples = new List<(string, string, double, long)>();
        foreach (var batch in Batches)
        {
            foreach (var family in batch.Families)
            {
                foreach (var s in family.Samples) samples.Add((family.Name, string.Join(",", s.Labels.Select(l => $"{l.Name}={l.Value}")), s.Value, batch.TimestampMs));
            }
        }
        return samples;
    }
}
