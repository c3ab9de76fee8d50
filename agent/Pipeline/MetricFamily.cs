namespace Agent.Pipeline;

/// <summary>A metric family as exposition formats know it: one name, help, type, many series.</summary>
public sealed class MetricFamily(string name, string help, MetricType type)
{
    public string Name { get; } = name;
    public string Help { get; } = help;
    public MetricType Type { get; } = type;
    public List<MetricSample> Samples { get; } = [];

    public void Add(Label[] labels, double value) => Samples.Add(new MetricSample(labels, value));
}
