using Agent.Pipeline;
using Agent.Telemetry;
using Xunit;

namespace Agent.Tests.Telemetry;

/// <summary>The agent's own process_* family, as client libraries export it, against what /proc says of this process.</summary>
public sealed class ProcessSelfCollectorTests
{
    [Fact]
    public void Reports_client_library_process_family_for_this_process()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "read from /proc/self");
        var families = new List<MetricFamily>();
        new ProcessSelfCollector().Collect(families);
        var values = families.ToDictionary(f => f.Name, f => f.Samples.Single().Value);
        Assert.Equal(
            ["process_cpu_seconds_total", "process_max_fds", "process_open_fds", "process_resident_memory_bytes", "process_start_time_seconds", "process_virtual_memory_bytes", "process_virtual_memory_max_bytes"],
            values.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(MetricType.Counter, families.Single(f => f.Name == "process_cpu_seconds_total").Type);
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        Assert.InRange(values["process_start_time_seconds"], new DateTimeOffset(self.StartTime).ToUnixTimeSeconds() - 1.5, new DateTimeOffset(self.StartTime).ToUnixTimeSeconds() + 1.5);
        Assert.InRange(values["process_cpu_seconds_total"], 0.01, self.TotalProcessorTime.TotalSeconds + 1);
        Assert.InRange(values["process_open_fds"], 3, values["process_max_fds"]);
        Assert.InRange(values["process_resident_memory_bytes"], 1 << 20, values["process_virtual_memory_bytes"]);
    }

    [Fact]
    public void Snapshot_carries_the_process_family_beside_agent_metrics()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "read from /proc/self");
        var self = new SelfMetrics();
        self.Counter("agent_collection_cycles_total", "Collection cycles completed.").Add();
        self.AddCollector(new ProcessSelfCollector());
        var names = self.Snapshot().Select(f => f.Name).ToList();
        Assert.Contains("agent_collection_cycles_total", names);
        Assert.Contains("process_resident_memory_bytes", names);
    }
}
