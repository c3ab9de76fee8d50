using Agent.Collectors;
using Agent.Collectors.Containers;
using Agent.Collectors.Containers.Cgroups;
using Agent.Pipeline;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Containers;

/// <summary>
/// cAdvisor's mapped-file, peak-usage, reservation and swap-limit families on both cgroup
/// versions (memory.peak present and absent), and machine_* on a captured machine.
/// </summary>
public sealed class ContainerMemoryAndMachineTests
{
    private const string Limited = "91907429ee3ca41761a25e19a8a6f5eb79e5f5df35efc578c726970b0e7b5ee5";
    private const string SystemdLimited = "3f4c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7";
    private const string SystemdPlain = "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf";
    private static readonly DateTimeOffset Started = new(2026, 11, 25, 15, 42, 47, TimeSpan.Zero);

    private static List<MetricFamily> Collect(string tree, params ContainerInfo[] running)
    {
        var families = new List<MetricFamily>();
        ContainersCollectorFixtureTests.Collector(tree, new TestInventory(running)).Collect(families);
        return families;
    }

    private static double? Value(List<MetricFamily> families, string name, string container) =>
        families.SingleOrDefault(f => f.Name == name)?.Samples.Where(s => s.Labels.Contains(new Label("name", container))).Select(s => (double?)s.Value).SingleOrDefault();

    [Fact]
    public void V1_max_usage_soft_limit_memsw_and_mapped_file()
    {
        var f = Collect("v1-cgroupfs", new ContainerInfo(Limited, "cap1", "busybox", 4512, Started, new Dictionary<string, string>()));
        Assert.Equal(3821568, Value(f, "container_memory_max_usage_bytes", "cap1"));
        // v1's "no soft limit" is PAGE_COUNTER_MAX pages, reported as is, like cAdvisor.
        Assert.Equal(9223372036854771712, Value(f, "container_spec_memory_reservation_limit_bytes", "cap1"));
        Assert.Equal(134217728, Value(f, "container_spec_memory_swap_limit_bytes", "cap1"));
        Assert.Equal(0, Value(f, "container_memory_mapped_file", "cap1"));
    }

    [Fact]
    public void V2_memory_peak_present_and_absent()
    {
        var f = Collect("v2-systemd",
            new ContainerInfo(SystemdLimited, "web", "nginx", 4242, Started, new Dictionary<string, string>()),
            new ContainerInfo(SystemdPlain, "idle", "busybox", 0, Started, new Dictionary<string, string>()));
        Assert.Equal(100663296, Value(f, "container_memory_max_usage_bytes", "web"));
        // Kernels before 5.19 have no memory.peak: no series rather than a made-up one.
        Assert.Null(Value(f, "container_memory_max_usage_bytes", "idle"));
        Assert.Equal(12582912, Value(f, "container_memory_mapped_file", "web"));
        Assert.Equal(0, Value(f, "container_memory_mapped_file", "idle"));
        Assert.Equal(67108864, Value(f, "container_spec_memory_reservation_limit_bytes", "web"));
        Assert.Equal(Math.Pow(2, 64) - 1, Value(f, "container_spec_memory_swap_limit_bytes", "web"));
        Assert.Null(Value(f, "container_spec_memory_swap_limit_bytes", "idle"));
        Assert.Equal("Maximum memory usage recorded in bytes", f.Single(x => x.Name == "container_memory_max_usage_bytes").Help);
    }

    [Theory]
    [InlineData("total_mapped_file 8192\nmapped_file 4096\n", 8192)]
    [InlineData("mapped_file 4096\n", 4096)]
    [InlineData("rss 1\n", 0)]
    public void V1_mapped_file_prefers_the_hierarchical_total(string text, long mapped) =>
        Assert.Equal(mapped, MemoryStatParser.ParseV1(System.Text.Encoding.ASCII.GetBytes(text)).MappedFile);

    [Fact]
    public void Machine_cores_sockets_memory_and_identity_labels()
    {
        var root = Fixtures.Path("containers", "machine");
        var f = new List<MetricFamily>();
        var collector = new MachineCollector(new HostPaths(Path.Combine(root, "proc"), Path.Combine(root, "sys"), root));
        collector.Collect(f);
        var values = f.ToDictionary(x => x.Name, x => x.Samples.Single().Value);
        var memTotalKb = double.Parse(File.ReadLines(Path.Combine(root, "proc", "meminfo")).First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        Assert.Equal(new Dictionary<string, double>
        {
            ["machine_cpu_cores"] = 4, ["machine_cpu_physical_cores"] = 2, ["machine_cpu_sockets"] = 1, ["machine_memory_bytes"] = memTotalKb * 1024,
        }, values);
        Assert.Equal(
            [new("boot_id", "8f1c0a52-5d7e-4c43-9a71-2d8e6b1f0c3a"), new("machine_id", "0f3e8b7a9c6d4e2f8a1b3c5d7e9f0a1b"), new("system_uuid", "EC2A1B2C-3D4E-5F60-7182-93A4B5C6D7E8")],
            f[0].Samples[0].Labels);
        var again = new List<MetricFamily>();
        collector.Collect(again);
        Assert.Equal(f, again);
    }
}
