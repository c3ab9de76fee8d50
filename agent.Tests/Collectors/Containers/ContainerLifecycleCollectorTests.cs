using Agent.Collectors.Containers;
using Agent.Docker;
using Agent.Pipeline;
using Xunit;

namespace Agent.Tests.Collectors.Containers;

public sealed class ContainerLifecycleCollectorTests
{
    private static ContainerRecord Record(string name, string state, long exitCode = 0, bool oom = false, long restarts = 0) =>
        new(name + "-id", name, "busybox", state, state == "running" ? 42 : 0, DateTimeOffset.UnixEpoch, exitCode, oom, restarts, false,
            new Dictionary<string, string>());

    private static List<MetricFamily> Collect(params ContainerRecord[] records)
    {
        var families = new List<MetricFamily>();
        new ContainerLifecycleCollector(() => records).Collect(families);
        return families;
    }

    private static double Value(List<MetricFamily> families, string family, string name, string? state = null) =>
        families.Single(f => f.Name == family).Samples.Single(s =>
            s.Labels.Contains(new Label("name", name)) && (state is null || s.Labels.Contains(new Label("state", state)))).Value;

    [Fact]
    public void Each_state_is_reported_zero_or_one_with_exit_code_oom_flag_and_restarts()
    {
        var families = Collect(Record("web", "running", restarts: 2), Record("job", "exited", exitCode: 3), Record("hog", "exited", 137, oom: true));
        Assert.Equal(["container_state", "container_last_exit_code", "container_oom_killed", "container_restarts_total"], families.Select(f => f.Name));
        Assert.Equal(18, families[0].Samples.Count);
        Assert.Equal(1, Value(families, "container_state", "web", "running"));
        Assert.Equal(0, Value(families, "container_state", "web", "exited"));
        Assert.Equal(1, Value(families, "container_state", "job", "exited"));
        Assert.Equal(3, Value(families, "container_last_exit_code", "job"));
        Assert.Equal(1, Value(families, "container_oom_killed", "hog"));
        Assert.Equal(0, Value(families, "container_oom_killed", "job"));
        Assert.Equal(2, Value(families, "container_restarts_total", "web"));
        Assert.Equal(MetricType.Counter, families[3].Type);
        Assert.All(families[1].Samples, s => Assert.Equal([new Label("name", s.Labels[0].Value)], s.Labels));
    }

    [Fact]
    public void A_name_seen_twice_during_a_rename_is_reported_once_and_no_containers_means_no_families()
    {
        var families = Collect(Record("web", "running"), Record("web", "exited", 1));
        Assert.Single(families.Single(f => f.Name == "container_last_exit_code").Samples);
        Assert.Empty(Collect());
    }

    [Fact]
    public void Label_sets_are_reused_between_cycles()
    {
        var records = new[] { Record("web", "running") };
        var collector = new ContainerLifecycleCollector(() => records);
        var first = new List<MetricFamily>();
        var second = new List<MetricFamily>();
        collector.Collect(first);
        collector.Collect(second);
        Assert.Same(first[1].Samples[0].Labels, second[1].Samples[0].Labels);
    }
}
