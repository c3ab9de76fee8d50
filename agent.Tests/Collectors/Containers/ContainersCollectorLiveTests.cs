using System.Diagnostics;
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
    private const string Image = "agent-test/busybox";

    [Fact]
    public void Limited_cpu_burner_shows_its_limits_and_rising_usage_and_throttling()
    {
        var docker = RequireDocker();
        var name = "agent-live-" + Guid.NewGuid().ToString("N")[..8];
        var started = Docker(docker, $"run -d --name {name} --memory 64m --cpus 0.5 {Image} sh -c \"while :; do :; done\"");
        try
        {
            Assert.True(started.ExitCode == 0, started.Output);
            var inspect = Docker(docker, $"inspect -f \"{{{{.Id}}}} {{{{.State.Pid}}}} {{{{.State.StartedAt}}}}\" {name}").Output.Trim().Split(' ');
            var container = new ContainerInfo(inspect[0], name, Image, int.Parse(inspect[1], CultureInfo.InvariantCulture),
                DateTimeOffset.Parse(inspect[2], CultureInfo.InvariantCulture), new Dictionary<string, string>());
            var collector = ContainersCollector.Create(HostPaths.Default, new ContainersSection(), new TestInventory(container));
            Assert.NotNull(collector);

            Thread.Sleep(500);
            var first = Collect(collector);
            Thread.Sleep(1500);
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
            Docker(docker, $"rm -f {name}");
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

    private static string RequireDocker()
    {
        var docker = ServerBinary.FindOnPath("docker");
        string? problem = null;
        if (docker is null) problem = "docker CLI not found on PATH";
        else if (Docker(docker, "info --format {{.ServerVersion}}") is { ExitCode: not 0 } info) problem = "docker daemon not reachable: " + info.Output;
        else if (Docker(docker, $"image inspect {Image}") is { ExitCode: not 0 }) problem = $"image {Image} missing (docker import a busybox rootfs as {Image})";
        if (problem is null) return docker!;
        if (ServerBinary.InCi) Assert.Fail(problem + " (CI=true)");
        Assert.Skip(problem);
        return null!;
    }

    private static (int ExitCode, string Output) Docker(string docker, string arguments)
    {
        var start = new ProcessStartInfo(docker, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"docker {arguments}: timed out");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
