namespace Agent.Pipeline;

/// <summary>A metric family as exposition formats know it: one name, help, type, many series.</summary>
public sealed class MetricFamily(string name, string help, MetricType type, int capacity = 4)
{
    public string Name { get; } = name;
    public string Help { get; } = help;
    public MetricType Type { get; } = type;
    /// <param name="capacity">Expected series count; one-value families pass 1 to keep a cycle's allocations small.</param>
    public List<MetricSample> Samples { get; } = new(capacity);

    public void Add(Label[] labels, double value) => Samples.Add(new MetricSample(labels, value));
}
