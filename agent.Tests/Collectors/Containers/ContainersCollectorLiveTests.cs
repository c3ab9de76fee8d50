using System.Globalization;
using Agent.Collectors;
using Agent.Collectors.Containers;
using Agent.Config;
using Agent.Pipeline;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Containers;

/// <summary>
/// The collector against a real container on this machine's Docker. Skipped where Docker (or
/// the agent-test/busybox image) is not reachable; under CI=true that is a failure instead.
/// </summary>
public sealed class ContainersCollectorLiveTests
{
    [Fact]
    public async Task Limited_cpu_burner_shows_its_limits_and_rising_usage_and_throttling()
    {
        await DockerEngine.RequireAsync();
        var name = DockerEngine.UniqueName("agent-live");
        try
        {
            await DockerEngine.RunCheckedAsync(["run", "-d", "--name", name, "--memory", "64m", "--cpus", "0.5", DockerEngine.Image, "sh", "-c", "while :; do :; done"]);
            var inspect = (await DockerEngine.RunCheckedAsync(["inspect", "-f", "{{.Id}} {{.State.Pid}} {{.State.StartedAt}}", name])).Split(' ');
            var container = new ContainerInfo(inspect[0], name, DockerEngine.Image, int.Parse(inspect[1], CultureInfo.InvariantCulture),
                DateTimeOffset.Parse(inspect[2], CultureInfo.InvariantCulture), new Dictionary<string, string>());
            var collector = ContainersCollector.Create(HostPaths.Default, new ContainersSection(), new TestInventory(container));
            Assert.NotNull(collector);

            await Task.Delay(500);
            var first = Collect(collector);
            await Task.Delay(1500);
            var second = Collect(collector);

            Assert.Equal(67108864, Value(second, "container_spec_memory_limit_bytes"));
            Assert.Equal(50000, Value(second, "container_spec_cpu_quota"));
            Assert.Equal(100000, Value(second, "container_spec_cpu_period"));
            Assert.True(Value(second, "container_cpu_usage_seconds_total") > Value(first, "container_cpu_usage_seconds_total"));
            Assert.True(Value(second, "container_cpu_cfs_periods_total") > Value(first, "container_cpu_cfs_periods_total"));
            Assert.True(Value(second, "container_cpu_cfs_throttled_periods_total") > Value(first, "container_cpu_cfs_throttled_periods_total"));
            Assert.True(Value(second, "container_memory_usage_bytes") > 0);
            Assert.Equal(1, Value(second, "container_processes"));
            // Half a CPU: over 1.5 s the burner gets about 0.75 s, never the whole interval.
            var used = Value(second, "container_cpu_usage_seconds_total") - Value(first, "container_cpu_usage_seconds_total");
            Assert.InRange(used, 0.2, 1.2);
            var id = Sample(second, "container_memory_usage_bytes").Labels.Single(l => l.Name == "id").Value;
            Assert.EndsWith(container.Id, id.Replace(".scope", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
        finally
        {
            await DockerEngine.RemoveAsync(name);
        }
    }

    private static List<MetricFamily> Collect(ICollector collector)
    {
        var families = new List<MetricFamily>();
        collector.Collect(families);
        return families;
    }

    private static MetricSample Sample(List<MetricFamily> families, string name) => families.Single(f => f.Name == name).Samples.Single();

    private static double Value(List<MetricFamily> families, string name) => Sample(families, name).Value;
}
