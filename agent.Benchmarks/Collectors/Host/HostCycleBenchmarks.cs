using Agent.Collectors;
using Agent.Collectors.Host;
using Agent.Config;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agent.Benchmarks.Collectors.Host;

/// <summary>
/// One full host collection cycle (every default collector, and the agent's own process_* that
/// job node carries) on this machine's live /proc and /sys.
/// </summary>
[MemoryDiagnoser]
public class HostCycleBenchmarks
{
    private CollectorRunner _all = null!;
    private Dictionary<string, CollectorRunner> _single = null!;

    [GlobalSetup]
    public void Setup()
    {
        var settings = new HostSection();
        var collectors = HostCollectors.Selected(settings).Select(d => d.Create(HostPaths.Default, settings)).OfType<ICollector>().ToList();
        _all = new CollectorRunner("node", collectors, NullLogger.Instance, new Agent.Telemetry.ProcessSelfCollector());
        _single = collectors.ToDictionary(c => c.Name, c => new CollectorRunner("node", [c], NullLogger.Instance));
    }

    [Benchmark(Baseline = true)]
    public int FullCycle() => _all.Collect(0).SampleCount;

    [Params("cpu", "meminfo", "diskstats", "filesystem", "netdev", "netclass", "netstat")]
    public string Collector { get; set; } = "cpu";

    [Benchmark]
    public int OneCollector() => _single[Collector].Collect(0).SampleCount;
}
