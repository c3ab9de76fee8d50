using Agent.Pipeline;

namespace Agent.Collectors;

/// <summary>Shorthands for the many node_exporter families that hold one unlabelled value.</summary>
public static class FamilyList
{
    public static void AddSingle(this List<MetricFamily> into, string name, string help, MetricType type, double value)
    {
        var family = new MetricFamily(name, help, type, capacity: 1);
        family.Add(Labels.Empty, value);
        into.Add(family);
    }

    public static void AddGauge(this List<MetricFamily> into, string name, string help, double value) =>
        into.AddSingle(name, help, MetricType.Gauge, value);

    public static void AddCounter(this List<MetricFamily> into, string name, string help, double value) =>
        into.AddSingle(name, help, MetricType.Counter, value);
}
