using Agent.Pipeline;

namespace Agent.Collectors;

/// <summary>
/// One collector (cpu, meminfo, ...). Collect appends this cycle's families; it throws only
/// for an unexpected failure, which the runner reports as collector success 0. Finding no
/// data on this host is not a failure: add nothing and return.
/// </summary>
public interface ICollector
{
    string Name { get; }

    void Collect(List<MetricFamily> into);
}
