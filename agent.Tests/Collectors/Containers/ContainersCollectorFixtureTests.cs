using Agent.Collectors;
using Agent.Collectors.Containers;
using Agent.Collectors.Containers.Cgroups;
using Agent.Pipeline;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Containers;

/// <summary>The collector on captured (v1, cgroupfs) and documented (v2, systemd) cgroup trees.</summary>
public sealed class ContainersCollectorFixtureTests
{
    private const string Limited = "91907429ee3ca41761a25e19a8a6f5eb79e5f5df35efc578c726970b0e7b5ee5";
    private const string Unlimited = "1184e745bcffcef1f981e9a6b443a133c2429410381a15d5c1b7a0a788756dbf";
    private const string SystemdLimited = "3f4c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7";
    private const string SystemdPlain = "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf";

    private static readonly DateTimeOffset Now = new(2026, 11, 25, 16, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Started = new(2026, 11, 25, 15, 42, 47, 909, TimeSpan.Zero);

    private static readonly Dictionary<string, string> ComposeLabels = new()
    {
        ["com.docker.compose.project"] = "shop",
        ["com.docker.compose.service"] = "web",
        ["org.opencontainers.image.title"] = "busy box",
    };

    internal static HostPaths Tree(string name) =>
        new(Fixtures.Path("containers", name, "proc"), Fixtures.Path("containers", name, "sys"), "/");

    internal static ContainersCollector Collector(string tree, TestInventory inventory, IEnumerable<string>? dockerLabels = null) =>
        new(CgroupLayout.Discover(Tree(tree), "")!, Tree(tree), dockerLabels ?? ContainerLabelAllowList.Default, inventory, new FixedClock(Now));

    private static List<MetricFamily> Collect(ICollector collector)
    {
        var families = new List<MetricFamily>();
        collector.Collect(families);
        return families;
    }

    private static MetricSample Sample(List<MetricFamily> families, string name, string containerName, params (string, string)[] labels) =>
        families.Single(f => f.Name == name).Samples.Single(s =>
            s.Labels.Contains(new Label("name", containerName)) && labels.All(l => s.Labels.Contains(new Label(l.Item1, l.Item2))));

    private static double Value(List<MetricFamily> families, string name, string containerName, params (string, string)[] labels) =>
        Sample(families, name, containerName, labels).Value;

    private static bool Has(List<MetricFamily> families, string name, string containerName) =>
        families.Any(f => f.Name == name && f.Samples.Any(s => s.Labels.Contains(new Label("name", containerName))));

    [Fact]
    public void V1_cgroupfs_capture_gives_cadvisor_values_and_units()
    {
        var families = Collect(Collector("v1-cgroupfs", new TestInventory(
            new ContainerInfo(Limited, "cap1", "agent-test/busybox", 4512, Started, ComposeLabels),
            new ContainerInfo(Unlimited, "cap2", "agent-test/busybox", 5643, Started.AddMinutes(1), new Dictionary<string, string>()))));

        Assert.Equal(0.403346228, Value(families, "container_cpu_usage_seconds_total", "cap1", ("cpu", "total")));
        Assert.Equal(0.38, Value(families, "container_cpu_user_seconds_total", "cap1"));
        Assert.Equal(0.01, Value(families, "container_cpu_system_seconds_total", "cap1"));
        Assert.Equal(11, Value(families, "container_cpu_cfs_periods_total", "cap1"));
        Assert.Equal(7, Value(families, "container_cpu_cfs_throttled_periods_total", "cap1"));
        Assert.Equal(0.340501218, Value(families, "container_cpu_cfs_throttled_seconds_total", "cap1"));
        Assert.Equal(446464, Value(families, "container_memory_usage_bytes", "cap1"));
        Assert.Equal(446464, Value(families, "container_memory_working_set_bytes", "cap1"));
        Assert.Equal(53248, Value(families, "container_memory_rss", "cap1"));
        Assert.Equal(0, Value(families, "container_memory_cache", "cap1"));
        Assert.Equal(0, Value(families, "container_memory_swap", "cap1"));
        Assert.Equal(0, Value(families, "container_memory_failcnt", "cap1"));
        Assert.Equal(0, Value(families, "container_oom_events_total", "cap1"));
        Assert.Equal(67108864, Value(families, "container_spec_memory_limit_bytes", "cap1"));
        Assert.Equal(50000, Value(families, "container_spec_cpu_quota", "cap1"));
        Assert.Equal(100000, Value(families, "container_spec_cpu_period", "cap1"));
        Assert.Equal(1024, Value(families, "container_spec_cpu_shares", "cap1"));
        Assert.Equal(1, Value(families, "container_processes", "cap1"));
        Assert.Equal(1, Value(families, "container_threads", "cap1"));
        Assert.Equal(946, Value(families, "container_network_receive_bytes_total", "cap1", ("interface", "eth0")));
        Assert.Equal(11, Value(families, "container_network_receive_packets_total", "cap1", ("interface", "eth0")));
        Assert.Equal(0, Value(families, "container_network_transmit_bytes_total", "cap1", ("interface", "eth0")));
        Assert.Equal(Started.ToUnixTimeMilliseconds() / 1000.0, Value(families, "container_start_time_seconds", "cap1"));
        Assert.Equal(Now.ToUnixTimeSeconds(), Value(families, "container_last_seen", "cap1"));

        // Unlimited: v1's "no limit" page counter as is, no quota series, shares still there.
        Assert.Equal(9223372036854771712, Value(families, "container_spec_memory_limit_bytes", "cap2"));
        Assert.False(Has(families, "container_spec_cpu_quota", "cap2"));
        Assert.Equal(100000, Value(families, "container_spec_cpu_period", "cap2"));
        Assert.Equal(0.035385749, Value(families, "container_cpu_usage_seconds_total", "cap2", ("cpu", "total")));
        Assert.Equal(266, Value(families, "container_network_receive_bytes_total", "cap2", ("interface", "eth0")));

        // No series for lo; block IO reads "Total 0" only in that VM, so no device series.
        Assert.DoesNotContain(families.SelectMany(f => f.Samples), s => s.Labels.Contains(new Label("interface", "lo")));
        Assert.DoesNotContain(families, f => f.Name is "container_fs_reads_bytes_total" or "container_blkio_device_usage_total");
    }

    [Fact]
    public void Labels_are_id_image_name_and_the_allowed_docker_labels_sorted()
    {
        var families = Collect(Collector("v1-cgroupfs", new TestInventory(
            new ContainerInfo(Limited, "cap1", "agent-test/busybox", 4512, Started, ComposeLabels))));
        Label[] expected =
        [
            new("container_label_com_docker_compose_project", "shop"),
            new("container_label_com_docker_compose_service", "web"),
            new("id", $"/docker/{Limited}"),
            new("image", "agent-test/busybox"),
            new("name", "cap1"),
        ];
        Assert.Equal(expected, Sample(families, "container_memory_usage_bytes", "cap1").Labels);
        Assert.Equal([.. expected.Take(2), new("cpu", "total"), .. expected.Skip(2)], Sample(families, "container_cpu_usage_seconds_total", "cap1").Labels);
        Assert.Equal([.. expected[..4], new("interface", "eth0"), expected[4]], Sample(families, "container_network_receive_bytes_total", "cap1").Labels);
    }

    [Fact]
    public void Every_family_has_cadvisor_type_and_help_and_no_empty_family_is_emitted()
    {
        var families = Collect(Collector("v2-systemd", new TestInventory(
            new ContainerInfo(SystemdLimited, "web", "nginx:1.27", 4242, Started, new Dictionary<string, string>()))));
        Assert.Equal(36, families.Count);
        Assert.All(families, f => Assert.NotEmpty(f.Samples));
        Assert.All(families.Where(f => f.Name.EndsWith("_total", StringComparison.Ordinal) || f.Name == "container_memory_failcnt"), f => Assert.Equal(MetricType.Counter, f.Type));
        Assert.All(families.Where(f => !f.Name.EndsWith("_total", StringComparison.Ordinal) && f.Name != "container_memory_failcnt"), f => Assert.Equal(MetricType.Gauge, f.Type));
        Assert.Equal("Current working set in bytes.", families.Single(f => f.Name == "container_memory_working_set_bytes").Help);
        Assert.Equal("Total time duration the container has been throttled.", families.Single(f => f.Name == "container_cpu_cfs_throttled_seconds_total").Help);
        Assert.Equal("Blkio Device bytes usage", families.Single(f => f.Name == "container_blkio_device_usage_total").Help);
    }

    [Fact]
    public void V2_systemd_tree_gives_cadvisor_values_and_units()
    {
        var families = Collect(Collector("v2-systemd", new TestInventory(
            new ContainerInfo(SystemdLimited, "web", "nginx:1.27", 4242, Started, new Dictionary<string, string> { ["com.docker.compose.service"] = "web" }),
            new ContainerInfo(SystemdPlain, "idle", "busybox", 0, Started, new Dictionary<string, string>()))));

        Assert.Equal($"/system.slice/docker-{SystemdLimited}.scope", Sample(families, "container_memory_usage_bytes", "web").Labels.Single(l => l.Name == "id").Value);
        Assert.Equal(93.876541, Value(families, "container_cpu_usage_seconds_total", "web", ("cpu", "total")));
        Assert.Equal(71.234567, Value(families, "container_cpu_user_seconds_total", "web"));
        Assert.Equal(22.641974, Value(families, "container_cpu_system_seconds_total", "web"));
        Assert.Equal(31415, Value(families, "container_cpu_cfs_periods_total", "web"));
        Assert.Equal(2718, Value(families, "container_cpu_cfs_throttled_periods_total", "web"));
        Assert.Equal(57.721566, Value(families, "container_cpu_cfs_throttled_seconds_total", "web"));
        Assert.Equal(88080384, Value(families, "container_memory_usage_bytes", "web"));
        Assert.Equal(88080384 - 20971520, Value(families, "container_memory_working_set_bytes", "web"));
        Assert.Equal(50331648, Value(families, "container_memory_rss", "web"));
        Assert.Equal(33554432, Value(families, "container_memory_cache", "web"));
        Assert.Equal(4194304, Value(families, "container_memory_swap", "web"));
        Assert.Equal(17, Value(families, "container_memory_failcnt", "web"));
        Assert.Equal(1, Value(families, "container_oom_events_total", "web"));
        Assert.Equal(134217728, Value(families, "container_spec_memory_limit_bytes", "web"));
        Assert.Equal(150000, Value(families, "container_spec_cpu_quota", "web"));
        Assert.Equal(100000, Value(families, "container_spec_cpu_period", "web"));
        Assert.Equal(998, Value(families, "container_spec_cpu_shares", "web"));
        Assert.Equal(3, Value(families, "container_processes", "web"));
        Assert.Equal(23, Value(families, "container_threads", "web"));
        Assert.Equal(8843120, Value(families, "container_network_receive_bytes_total", "web", ("interface", "eth0")));
        Assert.Equal(6214, Value(families, "container_network_receive_packets_total", "web", ("interface", "eth0")));
        Assert.Equal(2, Value(families, "container_network_receive_errors_total", "web", ("interface", "eth0")));
        Assert.Equal(5, Value(families, "container_network_receive_packets_dropped_total", "web", ("interface", "eth0")));
        Assert.Equal(612733, Value(families, "container_network_transmit_bytes_total", "web", ("interface", "eth0")));
        Assert.Equal(4870, Value(families, "container_network_transmit_packets_total", "web", ("interface", "eth0")));
        Assert.Equal(1, Value(families, "container_network_transmit_errors_total", "web", ("interface", "eth0")));
        Assert.Equal(3, Value(families, "container_network_transmit_packets_dropped_total", "web", ("interface", "eth0")));

        // io.stat: fs series carry /dev/NAME, blkio series the bare name plus major/minor/operation.
        Assert.Equal(1459200, Value(families, "container_fs_reads_bytes_total", "web", ("device", "/dev/sda")));
        Assert.Equal(314773504, Value(families, "container_fs_writes_bytes_total", "web", ("device", "/dev/sda")));
        Assert.Equal(314773504, Value(families, "container_blkio_device_usage_total", "web", ("device", "sda"), ("major", "8"), ("minor", "0"), ("operation", "Write")));
        // 253:0 has no name under /sys/dev/block: no device label at all (cAdvisor's "" is the same to Prometheus).
        var unnamed = Sample(families, "container_blkio_device_usage_total", "web", ("major", "253"), ("operation", "Read"));
        Assert.Equal(90112, unnamed.Value);
        Assert.DoesNotContain(unnamed.Labels, l => l.Name == "device");

        // The second container: no PID (found by the systemd naming, no network), no limits, no io controller.
        Assert.Equal(0.020511, Value(families, "container_cpu_usage_seconds_total", "idle", ("cpu", "total")));
        Assert.Equal(CgroupValueParser.Unlimited, Value(families, "container_spec_memory_limit_bytes", "idle"));
        Assert.False(Has(families, "container_spec_cpu_quota", "idle"));
        Assert.Equal(100000, Value(families, "container_spec_cpu_period", "idle"));
        Assert.Equal(2597, Value(families, "container_spec_cpu_shares", "idle"));
        Assert.Equal(1310720, Value(families, "container_memory_working_set_bytes", "idle"));
        Assert.Equal(0, Value(families, "container_memory_swap", "idle"));
        Assert.False(Has(families, "container_network_receive_bytes_total", "idle"));
        Assert.False(Has(families, "container_fs_reads_bytes_total", "idle"));
    }

    [Fact]
    public void A_vanished_container_yields_nothing_and_no_exception()
    {
        var inventory = new TestInventory(
            new ContainerInfo(new string('d', 64), "gone", "x", 31337, Started, new Dictionary<string, string>()),
            new ContainerInfo(SystemdPlain, "idle", "busybox", 0, Started, new Dictionary<string, string>()));
        var families = Collect(Collector("v2-systemd", inventory));
        Assert.DoesNotContain(families.SelectMany(f => f.Samples), s => s.Labels.Contains(new Label("name", "gone")));
        Assert.True(Has(families, "container_memory_usage_bytes", "idle"));
    }

    [Fact]
    public void A_container_whose_cgroup_disappears_between_cycles_is_dropped()
    {
        var tree = Directory.CreateTempSubdirectory("agent-cgroup-");
        try
        {
            CopyTree(Fixtures.Path("containers", "v2-systemd"), tree.FullName);
            var paths = new HostPaths(Path.Combine(tree.FullName, "proc"), Path.Combine(tree.FullName, "sys"), "/");
            var inventory = new TestInventory(new ContainerInfo(SystemdLimited, "web", "nginx", 4242, Started, new Dictionary<string, string>()));
            // A kept descriptor still reads a deleted regular file; cgroupfs answers ENODEV once the
            // cgroup is removed. Opening per read shows the deletion the way the kernel would.
            var collector = new ContainersCollector(CgroupLayout.Discover(paths, "")!, paths, [], inventory, new FixedClock(Now), new KeptFileReader(budget: 0));
            Assert.NotEmpty(Collect(collector));

            Directory.Delete(Path.Combine(tree.FullName, "sys", "fs", "cgroup", "system.slice", $"docker-{SystemdLimited}.scope"), recursive: true);
            Directory.Delete(Path.Combine(tree.FullName, "proc", "4242"), recursive: true);
            Assert.Empty(Collect(collector));

            inventory.Containers.Clear();
            Assert.Empty(Collect(collector));
        }
        finally
        {
            tree.Delete(recursive: true);
        }
    }

    [Fact]
    public void Limits_are_read_on_first_sight_and_then_every_eighth_cycle()
    {
        var tree = Directory.CreateTempSubdirectory("agent-cgroup-");
        try
        {
            CopyTree(Fixtures.Path("containers", "v2-systemd"), tree.FullName);
            var paths = new HostPaths(Path.Combine(tree.FullName, "proc"), Path.Combine(tree.FullName, "sys"), "/");
            var inventory = new TestInventory(new ContainerInfo(SystemdLimited, "web", "nginx", 4242, Started, new Dictionary<string, string>()));
            var collector = new ContainersCollector(CgroupLayout.Discover(paths, "")!, paths, [], inventory, new FixedClock(Now));
            var scope = Path.Combine(tree.FullName, "sys", "fs", "cgroup", "system.slice", $"docker-{SystemdLimited}.scope");
            var first = Value(Collect(collector), "container_spec_memory_limit_bytes", "web");

            // `docker update --memory 256m`: the cached limit is reported until its next read.
            File.WriteAllText(Path.Combine(scope, "memory.max"), "268435456\n");
            for (var cycle = 2; cycle <= CgroupSpec.ReadEvery; cycle++)
            {
                Assert.Equal(first, Value(Collect(collector), "container_spec_memory_limit_bytes", "web"));
            }
            Assert.Equal(268435456, Value(Collect(collector), "container_spec_memory_limit_bytes", "web"));
        }
        finally
        {
            tree.Delete(recursive: true);
        }
    }

    [Fact]
    public void Label_sets_are_built_once_and_reused_across_cycles()
    {
        var collector = Collector("v2-systemd", new TestInventory(
            new ContainerInfo(SystemdLimited, "web", "nginx", 4242, Started, new Dictionary<string, string>())));
        var first = Collect(collector);
        var second = Collect(collector);
        Assert.Same(Sample(first, "container_memory_rss", "web").Labels, Sample(second, "container_memory_rss", "web").Labels);
        Assert.Same(
            Sample(first, "container_network_receive_bytes_total", "web").Labels,
            Sample(second, "container_network_receive_bytes_total", "web").Labels);
        Assert.Same(
            Sample(first, "container_blkio_device_usage_total", "web", ("operation", "Read"), ("major", "8")).Labels,
            Sample(second, "container_blkio_device_usage_total", "web", ("operation", "Read"), ("major", "8")).Labels);
    }

    [Fact]
    public void A_restart_with_a_new_pid_rebuilds_the_containers_state()
    {
        var inventory = new TestInventory(new ContainerInfo(SystemdLimited, "web", "nginx", 0, Started, new Dictionary<string, string>()));
        var collector = Collector("v2-systemd", inventory);
        Assert.False(Has(Collect(collector), "container_network_receive_bytes_total", "web"));
        inventory.Containers[0] = inventory.Containers[0] with { Pid = 4242, StartedAt = Now };
        var families = Collect(collector);
        Assert.True(Has(families, "container_network_receive_bytes_total", "web"));
        Assert.Equal(Now.ToUnixTimeSeconds(), Value(families, "container_start_time_seconds", "web"));
    }

    [Theory]
    [InlineData("lo", true)]
    [InlineData("LO", true)]
    [InlineData("veth1a2b3c", true)]
    [InlineData("docker0", true)]
    [InlineData("nerdctl0", true)]
    [InlineData("eth0", false)]
    [InlineData("ens3", false)]
    [InlineData("l", false)]
    public void Interfaces_cadvisor_ignores(string name, bool ignored) =>
        Assert.Equal(ignored, ContainersCollector.Ignored(System.Text.Encoding.ASCII.GetBytes(name)));

    [Fact]
    public void Create_returns_null_where_there_are_no_cgroups_and_a_collector_where_there_are()
    {
        var settings = new Agent.Config.ContainersSection();
        Assert.Null(ContainersCollector.Create(new HostPaths("/nonexistent-proc", "/nonexistent-sys", "/"), settings, new TestInventory()));
        var collector = ContainersCollector.Create(Tree("v2-systemd"), settings, new TestInventory(
            new ContainerInfo(SystemdPlain, "idle", "busybox", 0, Started, new Dictionary<string, string>())));
        Assert.Equal("containers", collector!.Name);
        Assert.True(Has(Collect(collector), "container_memory_usage_bytes", "idle"));
    }

    [Fact]
    public void No_containers_means_no_families()
    {
        Assert.Empty(Collect(Collector("v1-cgroupfs", new TestInventory())));
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }
}
