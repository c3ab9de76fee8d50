namespace Agent.Pipeline;

/// <summary>
/// Everything one source produced in one cycle, stamped with one timestamp.
/// <see cref="Job"/> becomes the job label on the wire (node, process, cadvisor, ...).
/// </summary>
public sealed class MetricBatch(string job, long timestampMs, IReadOnlyList<MetricFamily> families)
{
    public string Job { get; } = job;
    public long TimestampMs { get; } = timestampMs;
    public IReadOnlyList<MetricFamily> Families { get; } = families;

    public int SampleCount
    {
        get
        {
            var n = 0;
            foreach (var f in Families) n += f.Samples.Count;
            return n;
        }
    }
}
