using Agent.Collectors;
using Agent.Collectors.Host;
using Agent.Pipeline;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Host;

/// <summary>The collectors on captured /proc trees (agent.Tests/fixtures/host), not the live machine.</summary>
public sealed class HostCollectorsFixtureTests
{
    private static HostPaths Fixture(string name) =>
        new(Fixtures.Path("host", name), "/nonexistent-sys", "/");

    private static List<MetricFamily> Collect(ICollector collector)
    {
        var families = new List<MetricFamily>();
        collector.Collect(families);
        return families;
    }

    private static double Value(List<MetricFamily> families, string name, params (string, string)[] labels) =>
        families.Single(f => f.Name == name).Samples
            .Single(s => labels.All(l => s.Labels.Contains(new Label(l.Item1, l.Item2)))).Value;

    [Fact]
    public void Cpu_on_captured_tree_divides_ticks_by_user_hz()
    {
        var families = Collect(new CpuCollector(Fixture("proc")));
        var cpu0 = File.ReadLines(Fixtures.Path("host/proc/stat")).First(l => l.StartsWith("cpu0 ")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(double.Parse(cpu0[1]) / 100, Value(families, "node_cpu_seconds_total", ("cpu", "0"), ("mode", "user")));
        Assert.Equal(double.Parse(cpu0[4]) / 100, Value(families, "node_cpu_seconds_total", ("cpu", "0"), ("mode", "idle")));
        Assert.Equal(8 * 2, families.Single(f => f.Name == "node_cpu_seconds_total").Samples.Count);
        Assert.Equal(MetricType.Counter, families[0].Type);
    }

    [Fact]
    public void Cpu_with_an_offline_cpu_reports_only_the_online_ones()
    {
        var families = Collect(new CpuCollector(Fixture("edge/offline-cpu")));
        var cpus = families.Single(f => f.Name == "node_cpu_seconds_total").Samples.Select(s => s.Labels.Single(l => l.Name == "cpu").Value).Distinct();
        Assert.Equal(["0", "2"], cpus);
        Assert.Equal(0.05, Value(families, "node_cpu_guest_seconds_total", ("cpu", "2"), ("mode", "user")));
        Assert.Equal(0.06, Value(families, "node_cpu_guest_seconds_total", ("cpu", "2"), ("mode", "nice")));
    }

    [Fact]
    public void Cpu_on_an_old_kernel_reports_missing_columns_as_zero()
    {
        var families = Collect(new CpuCollector(Fixture("edge/old-kernel")));
        Assert.Equal(0, Value(families, "node_cpu_seconds_total", ("cpu", "0"), ("mode", "steal")));
        Assert.Equal(10, Value(families, "node_cpu_seconds_total", ("cpu", "0"), ("mode", "idle")));
    }

    [Fact]
    public void Meminfo_names_units_and_odd_lines()
    {
        var families = Collect(new MeminfoCollector(Fixture("edge/old-kernel")));
        Assert.Equal(16384000.0 * 1024, Value(families, "node_memory_MemTotal_bytes"));
        Assert.Equal(4, Value(families, "node_memory_HugePages_Total"));
        Assert.Equal(1024.0 * 1024, Value(families, "node_memory_Active_anon_bytes"));
        Assert.Equal("Memory information field Active_anon_bytes.", families.Single(f => f.Name == "node_memory_Active_anon_bytes").Help);
        Assert.Contains(families, f => f.Name.Length > 5000);
        Assert.DoesNotContain(families, f => f.Name.Contains("Broken") || f.Name.Contains("garbage"));
        Assert.All(families, f => Assert.Equal(MetricType.Gauge, f.Type));
    }

    [Fact]
    public void Meminfo_on_captured_tree_has_every_field_and_caches_names_across_cycles()
    {
        var collector = new MeminfoCollector(Fixture("proc"));
        var first = Collect(collector);
        var second = Collect(collector);
        var fields = File.ReadLines(Fixtures.Path("host/proc/meminfo")).Count(l => l.Contains(':'));
        Assert.Equal(fields, first.Count);
        Assert.Same(first[0].Name, second[0].Name);
    }

    [Fact]
    public void Empty_files_yield_no_families_and_missing_files_fail_the_collector()
    {
        Assert.Empty(Collect(new MeminfoCollector(Fixture("edge/empty"))).SelectMany(f => f.Samples));
        Assert.Empty(Collect(new CpuCollector(Fixture("edge/empty"))).SelectMany(f => f.Samples));
        Assert.Throws<IOException>(() => Collect(new CpuCollector(Fixture("edge/nothing-here"))));
    }

    [Fact]
    public void Cpu_counters_never_go_backwards_unless_the_cpu_was_replugged()
    {
        var dir = Directory.CreateTempSubdirectory("agent-cpu-").FullName;
        try
        {
            var stat = Path.Combine(dir, "stat");
            var collector = new CpuCollector(new HostPaths(dir, "/nonexistent", "/"));
            double Idle()
            {
                var families = Collect(collector);
                return Value(families, "node_cpu_seconds_total", ("cpu", "0"), ("mode", "idle"));
            }
            File.WriteAllText(stat, "cpu0 100 0 50 1000 0 0 0 0 0 0\n");
            Assert.Equal(10, Idle());
            File.WriteAllText(stat, "cpu0 100 0 50 990 0 0 0 0 0 0\n");
            Assert.Equal(10, Idle());
            File.WriteAllText(stat, "cpu0 100 0 50 500 0 0 0 0 0 0\n");
            Assert.Equal(5, Idle());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Cpu_isolated_and_thermal_throttle_counters_where_the_kernel_has_them()
    {
        var families = Collect(new CpuCollector(new HostPaths(Fixtures.Path("host", "proc"), Fixtures.Path("host", "throttle", "sys"), "/")));
        Assert.Equal(1, Value(families, "node_cpu_isolated", ("cpu", "1")));
        Assert.Equal(5, Value(families, "node_cpu_core_throttles_total", ("core", "1"), ("package", "0")));
        Assert.Equal(7, Value(families, "node_cpu_package_throttles_total", ("package", "0")));
        Assert.Single(families.Single(f => f.Name == "node_cpu_package_throttles_total").Samples);
    }
}
