using Agent.Collectors;
using Agent.Collectors.Containers;
using Agent.Config;
using Agent.Docker;
using Agent.Docker.Engine;
using Agent.Pipeline;
using Agent.Telemetry;
using Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Agent.Tests.Collectors.Containers;

/// <summary>
/// The container collector, fed by the real tracker, against Docker's own
/// /containers/{id}/stats for the same container: CPU total, memory usage and network bytes
/// agree within what can change between the two reads.
/// </summary>
public sealed class ContainersDockerStatsTests
{
    private readonly string _name = DockerEngine.UniqueName("stats-ref");

    [Fact]
    public async Task Cpu_memory_and_network_match_the_engine_stats()
    {
        await DockerEngine.RequireAsync();
        var name = _name;
        await using var tracker = new ContainerTracker(DockerEngine.Endpoint, new SelfMetrics(), NullLogger.Instance);
        try
        {
            // Half a CPU burnt; network bytes are whatever the bridge delivers (tests send nothing off loopback).
            var id = await DockerEngine.RunCheckedAsync(["run", "-d", "--name", name, "--memory", "64m", "--cpus", "0.5", DockerEngine.Image,
                "sh", "-c", "while :; do :; done"]);
            tracker.Start();
            await tracker.FirstSync.WaitAsync(TimeSpan.FromSeconds(15));
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (tracker.Running().All(c => c.Id != id))
            {
                Assert.True(DateTime.UtcNow < deadline, "tracker never listed the container");
                await Task.Delay(100);
            }
            var collector = ContainersCollector.Create(HostPaths.Default, new ContainersSection(), tracker);
            Assert.NotNull(collector);
            await Task.Delay(1000);

            using var engine = EngineClient.Create(DockerEngine.Endpoint, api: null);
            var before = Collect(collector);
            using var stats = (await engine.GetJsonAsync($"/containers/{id}/stats?stream=false&one-shot=true", CancellationToken.None))!;
            var after = Collect(collector);
            var reference = stats.RootElement;

            // Docker reads the same cgroup counters a few milliseconds apart from us.
            var dockerCpu = reference.GetProperty("cpu_stats").GetProperty("cpu_usage").GetProperty("total_usage").GetDouble() / 1e9;
            Assert.InRange(dockerCpu, Value(before, "container_cpu_usage_seconds_total") - 0.01, Value(after, "container_cpu_usage_seconds_total") + 0.01);
            var memory = reference.GetProperty("memory_stats");
            var dockerMemory = memory.GetProperty("usage").GetDouble();
            Assert.InRange(Value(after, "container_memory_usage_bytes"), dockerMemory * 0.9, dockerMemory * 1.1 + 65536);
            Assert.Equal(memory.GetProperty("limit").GetDouble(), Value(after, "container_spec_memory_limit_bytes"));
            var eth0 = reference.GetProperty("networks").GetProperty("eth0");
            var rx = eth0.GetProperty("rx_bytes").GetDouble();
            var tx = eth0.GetProperty("tx_bytes").GetDouble();
            Assert.InRange(Value(after, "container_network_receive_bytes_total", "eth0"), rx, rx + 4096);
            Assert.InRange(Value(after, "container_network_transmit_bytes_total", "eth0"), tx, tx + 4096);
            TestReport.Write($"containers vs docker stats: cpu {dockerCpu:F3} s (agent {Value(after, "container_cpu_usage_seconds_total"):F3}), memory {dockerMemory} B (agent {Value(after, "container_memory_usage_bytes")}), rx {rx} B");
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

    /// <summary>This container's sample; other tests' containers run beside it.</summary>
    private double Value(List<MetricFamily> families, string name, string? device = null) => families.Single(f => f.Name == name).Samples
        .Single(s => s.Labels.Contains(new Label("name", _name)) && (device is null || s.Labels.Contains(new Label("interface", device)))).Value;
}
