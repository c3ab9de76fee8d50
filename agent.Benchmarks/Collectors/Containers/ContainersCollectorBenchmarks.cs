using Agent.Collectors;
using Agent.Collectors.Containers;
using Agent.Collectors.Containers.Cgroups;
using Agent.Pipeline;
using BenchmarkDotNet.Attributes;

namespace Agent.Benchmarks.Collectors.Containers;

/// <summary>
/// One container collection cycle over N containers, each a copy (new id, new PID) of the first
/// container of a fixture tree in agent.Tests/fixtures/containers: the v1 capture from the dev
/// VM or the v2 systemd tree. Files are on tmpfs-like page cache, as cgroupfs is.
/// </summary>
[MemoryDiagnoser]
public class ContainersCollectorBenchmarks
{
    private DirectoryInfo _tree = null!;
    private ContainersCollector _collector = null!;
    private readonly List<MetricFamily> _families = new(64);

    [Params("v1-cgroupfs", "v2-systemd")]
    public string Tree { get; set; } = "v1-cgroupfs";

    [Params(10, 100)]
    public int Containers { get; set; } = 10;

    [GlobalSetup]
    public void Setup()
    {
        var fixture = Path.Combine(FixturesRoot(), "containers", Tree);
        var (templateId, templatePid) = Tree == "v1-cgroupfs"
            ? ("91907429ee3ca41761a25e19a8a6f5eb79e5f5df35efc578c726970b0e7b5ee5", "4512")
            : ("3f4c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7", "4242");
        _tree = Directory.CreateTempSubdirectory("agent-bench-cgroup-");
        var running = new List<ContainerInfo>(Containers);
        for (var i = 0; i < Containers; i++)
        {
            var id = i.ToString("x64");
            var pid = (100000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (var file in Directory.EnumerateFiles(fixture, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(fixture, file);
                if (relative.Contains(templateId, StringComparison.Ordinal)) relative = relative.Replace(templateId, id, StringComparison.Ordinal);
                else if (relative.StartsWith(Path.Combine("proc", templatePid), StringComparison.Ordinal)) relative = Path.Combine("proc", pid) + relative[(5 + templatePid.Length)..];
                else if (i > 0) continue;
                var target = Path.Combine(_tree.FullName, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllText(target, File.ReadAllText(file).Replace(templateId, id, StringComparison.Ordinal));
            }
            var labels = new Dictionary<string, string> { ["com.docker.compose.project"] = "bench", ["com.docker.compose.service"] = $"svc{i}" };
            running.Add(new ContainerInfo(id, $"c{i}", "agent-test/busybox", 100000 + i, DateTimeOffset.UnixEpoch, labels));
        }
        var paths = new HostPaths(Path.Combine(_tree.FullName, "proc"), Path.Combine(_tree.FullName, "sys"), "/");
        _collector = new ContainersCollector(CgroupLayout.Discover(paths, "")!, paths, ContainerLabelAllowList.Default, new Inventory(running), TimeProvider.System);
        _collector.Collect(_families);
    }

    [GlobalCleanup]
    public void Cleanup() => _tree.Delete(recursive: true);

    [Benchmark]
    public int Collect()
    {
        _families.Clear();
        _collector.Collect(_families);
        return _families.Count;
    }

    private static string FixturesRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "agent.Tests", "fixtures");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("agent.Tests/fixtures not found above " + AppContext.BaseDirectory);
    }

    private sealed class Inventory(IReadOnlyList<ContainerInfo> running) : IContainerInventory
    {
        public IReadOnlyList<ContainerInfo> Running() => running;
    }
}
