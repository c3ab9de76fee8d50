using Agent.Collectors.Containers;
using BenchmarkDotNet.Attributes;

namespace Agent.Benchmarks.Collectors.Containers;

/// <summary>
/// One walk of a container's writable layer (container_fs_usage_bytes), off the collection path:
/// a generated tree of N small files in 100 directories under /tmp, the shape of a layer an
/// application writes caches and logs into. Says how many entries the 2 s budget covers.
/// </summary>
[MemoryDiagnoser]
public class WritableLayerBenchmarks
{
    private DirectoryInfo _tree = null!;

    [Params(1_000, 10_000)]
    public int Files { get; set; } = 1_000;

    [GlobalSetup]
    public void Setup()
    {
        _tree = Directory.CreateTempSubdirectory("agent-bench-layer-");
        var content = new byte[3000];
        for (var i = 0; i < Files; i++)
        {
            var dir = Directory.CreateDirectory(Path.Combine(_tree.FullName, $"d{i % 100}"));
            File.WriteAllBytes(Path.Combine(dir.FullName, $"f{i}"), content);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _tree.Delete(recursive: true);

    [Benchmark]
    public long Walk() =>
        DirectoryUsage.Measure([_tree.FullName], TimeSpan.FromMinutes(1), out var figure) == DirectoryUsage.Outcome.Complete ? figure.Bytes : -1;
}
