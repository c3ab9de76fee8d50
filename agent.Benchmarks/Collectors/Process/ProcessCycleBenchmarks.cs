using System.Diagnostics;
using Agent.Collectors;
using Agent.Collectors.Process;
using Agent.Config;
using Agent.Pipeline;
using BenchmarkDotNet.Attributes;

namespace Agent.Benchmarks.Collectors.Process;

/// <summary>
/// One process collection cycle (default grouping by comm, threads on) on this machine's live
/// /proc, with extra sleeping processes started for the run. After warm-up every process is
/// known, so what a cycle allocates is its output (one sample per group and family), not a
/// function of how many processes there are.
/// </summary>
[MemoryDiagnoser]
public class ProcessCycleBenchmarks
{
    private readonly List<System.Diagnostics.Process> _sleepers = [];
    private readonly List<MetricFamily> _families = new(32);
    private ProcessCollector _collector = null!;

    [Params(0, 1000)]
    public int ExtraProcesses { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < ExtraProcesses; i++)
        {
            var psi = new ProcessStartInfo("/bin/sleep") { UseShellExecute = false };
            psi.ArgumentList.Add("3600");
            _sleepers.Add(System.Diagnostics.Process.Start(psi)!);
        }
        _collector = new ProcessCollector(HostPaths.Default, new ProcessSection());
        _collector.Collect(_families);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var sleeper in _sleepers)
        {
            sleeper.Kill();
            sleeper.WaitForExit();
            sleeper.Dispose();
        }
    }

    [Benchmark]
    public int Cycle()
    {
        _families.Clear();
        _collector.Collect(_families);
        return _families.Count;
    }
}
