using Agent.Collectors.Containers;
using Agent.Docker;
using Agent.Pipeline;
using Agent.Telemetry;
using Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Agent.Tests.Docker;

/// <summary>The tracker against the real engine: list at connect, events afterwards, lifecycle facts from inspect.</summary>
public sealed class ContainerTrackerTests
{
    [Fact]
    public async Task Follows_start_exit_code_oom_kill_and_removal()
    {
        await DockerEngine.RequireAsync();
        var running = DockerEngine.UniqueName("trk-run");
        var exits = DockerEngine.UniqueName("trk-exit3");
        var oom = DockerEngine.UniqueName("trk-oom");
        await using var tracker = new ContainerTracker(DockerEngine.Endpoint, new SelfMetrics(), NullLogger.Instance);
        var started = new List<string>();
        tracker.Started += r => { lock (started) started.Add(r.Name); };
        try
        {
            tracker.Start();
            await tracker.FirstSync.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Null(tracker.LastError);
            Assert.StartsWith("20.", tracker.Engine ?? "", StringComparison.Ordinal);

            await DockerEngine.RunCheckedAsync(["run", "-d", "--name", running, "--label", "com.docker.compose.service=web", DockerEngine.Image, "sleep", "600"]);
            await DockerEngine.RunCheckedAsync(["run", "-d", "--name", exits, DockerEngine.Image, "sh", "-c", "sleep 1; exit 3"]);
            await DockerEngine.RunCheckedAsync(["run", "-d", "--name", oom, "--memory", "16m", "--memory-swap", "16m", DockerEngine.Image,
                "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]);

            var run = await Until(tracker, t => t.Running().FirstOrDefault(c => c.Name == running));
            Assert.True(run.Pid > 0);
            Assert.Equal(DockerEngine.Image.Replace(":latest", ""), run.Image.Replace(":latest", ""));
            Assert.Equal("web", run.Labels["com.docker.compose.service"]);
            Assert.True(run.StartedAt > DateTimeOffset.UtcNow.AddMinutes(-2));

            var exited = await Until(tracker, t => t.All().FirstOrDefault(c => c.Name == exits && c.State == "exited"));
            Assert.Equal(3, exited.ExitCode);
            Assert.False(exited.OomKilled);
            Assert.DoesNotContain(tracker.Running(), c => c.Name == exits);

            var killed = await Until(tracker, t => t.All().FirstOrDefault(c => c.Name == oom && c.State == "exited"));
            Assert.True(killed.OomKilled);
            Assert.Equal(137, killed.ExitCode);

            Assert.InRange(exited.FinishedAtNs, (exited.StartedAt.UtcDateTime - DateTime.UnixEpoch).Ticks * 100, (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100);
            // Announced although it may well have exited before its start was inspected: its log is still there to read.
            lock (started) Assert.Contains(running, started);
            lock (started) Assert.Contains(oom, started);

            var families = new List<MetricFamily>();
            new ContainerLifecycleCollector(tracker.All).Collect(families);
            double Value(string family, string name, string? state = null) => families.Single(f => f.Name == family).Samples
                .Single(s => s.Labels.Any(l => l.Name == "name" && l.Value == name) && (state is null || s.Labels.Any(l => l.Name == "state" && l.Value == state))).Value;
            Assert.Equal(1, Value("container_state", exits, "exited"));
            Assert.Equal(0, Value("container_state", exits, "running"));
            Assert.Equal(3, Value("container_last_exit_code", exits));
            Assert.Equal(1, Value("container_oom_killed", oom));
            Assert.Equal(1, Value("container_state", running, "running"));
            Assert.Equal(0, Value("container_restarts_total", running));

            await DockerEngine.RemoveAsync(exits);
            await Until(tracker, t => t.All().Any(c => c.Name == exits) ? null : "gone");
        }
        finally
        {
            await DockerEngine.RemoveAsync(running, exits, oom);
        }
    }

    [Fact]
    public async Task A_missing_socket_is_reported_and_retried_without_throwing()
    {
        var self = new SelfMetrics();
        await using var tracker = new ContainerTracker(new Uri("unix:///nonexistent/agent-test-docker.sock"), self, NullLogger.Instance);
        tracker.Start();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (tracker.LastError is null && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.NotNull(tracker.LastError);
        Assert.False(tracker.FirstSync.IsCompleted);
        Assert.Empty(tracker.Running());
        var up = self.Snapshot().Single(f => f.Name == "agent_docker_up");
        Assert.Equal(0, up.Samples.Single().Value);
    }

    private static async Task<T> Until<T>(ContainerTracker tracker, Func<ContainerTracker, T?> probe) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (probe(tracker) is { } found) return found;
            await Task.Delay(100);
        }
        throw new TimeoutException($"tracker never showed the expected container; it knows {string.Join(", ", tracker.All().Select(c => $"{c.Name}:{c.State}"))}");
    }
}
