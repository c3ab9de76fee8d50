using Agent.Collectors;
using Agent.Collectors.Process;
using Agent.Config;
using Agent.Pipeline;
using Xunit;

namespace Agent.Tests.Collectors.Process;

/// <summary>Groups named by {{.PID}} end with their process: 1,000 short-lived processes leave no groups behind.</summary>
public sealed class PerProcessGroupTests : IDisposable
{
    private const int Churn = 1000;
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-pergroup-").FullName;

    public PerProcessGroupTests() => Copy(Support.Fixtures.Path("process"), _dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Pid_named_groups_are_dropped_once_empty_and_comm_groups_are_kept()
    {
        var proc = Path.Combine(_dir, "proc");
        var settings = new ProcessSection
        {
            Children = false,
            Matchers = [new GroupMatcher("{{.Comm}}:{{.PID}}", ["bash"], null, null), new GroupMatcher("{{.Comm}}", null, null, [".+"])],
        };
        var collector = new ProcessCollector(new HostPaths(proc, "/sys", _dir), settings);
        var first = Groups(Collect(collector));
        Assert.Contains("bash:401", first);
        var before = collector.GroupCount;

        for (var i = 0; i < Churn; i++) Copy(Path.Combine(proc, "401"), Path.Combine(proc, (10_000 + i).ToString()));
        var grown = Groups(Collect(collector));
        Assert.Contains("bash:10999", grown);
        Assert.Equal(before + Churn, collector.GroupCount);

        for (var i = 0; i < Churn; i++) Directory.Delete(Path.Combine(proc, (10_000 + i).ToString()), recursive: true);
        Directory.Delete(Path.Combine(proc, "401"), recursive: true);
        Collect(collector);
        var after = Groups(Collect(collector));
        Assert.Equal(["bash:400"], after.Where(g => g.StartsWith("bash:", StringComparison.Ordinal)));
        Assert.Equal(before - 1, collector.GroupCount);
        // A comm-named group stays when empty: process-exporter keeps its counters.
        Assert.Contains("systemd", after);
    }

    private static List<MetricFamily> Collect(ICollector collector)
    {
        var families = new List<MetricFamily>();
        collector.Collect(families);
        return families;
    }

    private static HashSet<string> Groups(List<MetricFamily> families) =>
        [.. families.Single(f => f.Name == "namedprocess_namegroup_num_procs").Samples.Select(s => s.Labels.Single(l => l.Name == "groupname").Value)];

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from)) Copy(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
