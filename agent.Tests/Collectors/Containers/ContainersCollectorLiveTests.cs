using System.Globalization;
using Agent.Collectors;
using Agent.Collectors.Containers;
using Agent.Config;
using Agent.Docker;
using Agent.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
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

    [Fact]
    public async Task A_file_written_in_the_container_shows_in_its_writable_layer_usage()
    {
        await DockerEngine.RequireAsync();
        var name = DockerEngine.UniqueName("agent-layer");
        await using var tracker = new ContainerTracker(DockerEngine.Endpoint, new SelfMetrics(), NullLogger.Instance);
        try
        {
            // 8 MiB of zeros written for real (dd, not a sparse seek), then nothing more.
            var id = await DockerEngine.RunCheckedAsync(["run", "-d", "--init", "--name", name, DockerEngine.Image,
                "sh", "-c", "dd if=/dev/zero of=/blob bs=1048576 count=8 2>/dev/null && touch /done; sleep 600"]);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while ((await DockerEngine.RunAsync(["exec", name, "cat", "/done"], TimeSpan.FromSeconds(10))).Code != 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the container never finished writing");
                await Task.Delay(200);
            }
            tracker.Start();
            await tracker.FirstSync.WaitAsync(TimeSpan.FromSeconds(15));
            var collector = ContainersCollector.Create(HostPaths.Default, new ContainersSection(), tracker);
            Assert.NotNull(collector);

            // The first cycle starts the walk off the collection path; a later one reports it.
            List<MetricSample> usages = [], limits = [];
            deadline = DateTime.UtcNow.AddSeconds(20);
            while (usages.Count == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "no container_fs_usage_bytes for the container after 20 s");
                await Task.Delay(250);
                var families = Collect(collector);
                List<MetricSample> Of(string family) => [.. families.Where(f => f.Name == family).SelectMany(f => f.Samples).Where(s => s.Labels.Contains(new Label("name", name)))];
                usages = Of("container_fs_usage_bytes");
                limits = Of("container_fs_limit_bytes");
            }
            var usage = Assert.Single(usages);
            var limit = Assert.Single(limits);

            var paths = (await DockerEngine.RunCheckedAsync(["inspect", "-f", "{{.GraphDriver.Data.UpperDir}} {{.LogPath}}", name])).Split(' ');
            var layer = paths[0];
            var du = await Command.RunAsync("du", ["-s", "-c", "-B1", layer, Path.GetDirectoryName(paths[1])!], TimeSpan.FromSeconds(20));
            var expected = long.Parse(du.Stdout.TrimEnd().Split('\n')[^1].Split('\t')[0], CultureInfo.InvariantCulture);
            Assert.Equal(expected, usage.Value);
            Assert.InRange(usage.Value, 8 * 1048576, 9 * 1048576);
            Assert.True(Agent.Collectors.Host.Procfs.Statvfs.TryGet(layer, out var fs, out _));
            Assert.Equal((double)(fs.Blocks * fs.FragmentSize), limit.Value);
            var source = (await Command.RunAsync("df", ["--output=source", layer], TimeSpan.FromSeconds(10))).Stdout.Trim().Split('\n')[^1];
            Assert.Contains(new Label("device", source), usage.Labels);
            Assert.Contains(new Label("image", DockerEngine.Image), usage.Labels);
            Assert.EndsWith(id, usage.Labels.Single(l => l.Name == "id").Value.Replace(".scope", "", StringComparison.Ordinal), StringComparison.Ordinal);
            TestReport.Write($"container writable layer: 8 MiB written, container_fs_usage_bytes {usage.Value} (du {expected}), limit {limit.Value} on {source}");
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
