using System.Globalization;
using Agent.Collectors.Containers;
using Agent.Collectors.Containers.Cgroups;
using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Containers;

/// <summary>
/// container_fs_usage_bytes / container_fs_limit_bytes: the directory walk on a small tree built
/// by the test (checked against du, which counts the same allocated blocks), the walk's
/// schedule and budget, and the series in the container collector.
/// </summary>
public sealed class WritableLayerUsageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-layer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>upper/ with files of known sizes, a nested directory, a hard link, a symlink to a big directory and an empty file; big/ outside it.</summary>
    private (string Upper, string Big) Tree()
    {
        var upper = Directory.CreateDirectory(Path.Combine(_dir, "upper")).FullName;
        var nested = Directory.CreateDirectory(Path.Combine(upper, "etc", "app")).FullName;
        File.WriteAllBytes(Path.Combine(upper, "a.bin"), new byte[100_000]);
        File.WriteAllBytes(Path.Combine(nested, "b.bin"), new byte[20_000]);
        File.WriteAllText(Path.Combine(nested, "empty"), "");
        var big = Directory.CreateDirectory(Path.Combine(_dir, "big")).FullName;
        File.WriteAllBytes(Path.Combine(big, "c.bin"), new byte[1_000_000]);
        File.CreateSymbolicLink(Path.Combine(upper, "link-to-big"), big);
        return (upper, big);
    }

    private static async Task<long> Du(params string[] paths)
    {
        var (code, stdout, stderr) = await Command.RunAsync("du", ["-s", "-c", "-B1", .. paths], TimeSpan.FromSeconds(20));
        Assert.True(code == 0, stderr);
        var total = stdout.TrimEnd().Split('\n')[^1];
        return long.Parse(total.Split('\t')[0], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_tree_counts_its_allocated_blocks_as_du_does_without_following_symlinks()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "statx is Linux's");
        var (upper, _) = Tree();
        Assert.Equal(DirectoryUsage.Outcome.Complete, DirectoryUsage.Measure([upper], TimeSpan.FromSeconds(10), out var figure));
        Assert.Equal(await Du(upper), figure.Bytes);
        Assert.InRange(figure.Bytes, 120_000, 1_000_000);
        var device = File.ReadAllText("/proc/self/mountinfo");
        Assert.Contains($" {figure.DeviceMajor}:{figure.DeviceMinor} ", device);
    }

    [Fact]
    public async Task A_hard_link_counts_once_and_a_second_root_adds_its_own()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "statx is Linux's");
        var (upper, big) = Tree();
        DirectoryUsage.Measure([upper], TimeSpan.FromSeconds(10), out var before);
        var (code, _, stderr) = await Command.RunAsync("ln", [Path.Combine(upper, "a.bin"), Path.Combine(upper, "etc", "a-again.bin")], TimeSpan.FromSeconds(10));
        Assert.True(code == 0, stderr);
        DirectoryUsage.Measure([upper], TimeSpan.FromSeconds(10), out var after);
        Assert.Equal(before.Bytes, after.Bytes);

        Assert.Equal(DirectoryUsage.Outcome.Complete, DirectoryUsage.Measure([upper, big], TimeSpan.FromSeconds(10), out var both));
        Assert.Equal(await Du(upper, big), both.Bytes);
        // A second root that is gone (a container without a json log) is no error.
        Assert.Equal(DirectoryUsage.Outcome.Complete, DirectoryUsage.Measure([upper, Path.Combine(_dir, "absent")], TimeSpan.FromSeconds(10), out var missingSecond));
        Assert.Equal(after.Bytes, missingSecond.Bytes);
    }

    [Fact]
    public void A_walk_past_its_budget_a_missing_layer_and_an_unreadable_one_report_no_figure()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "statx is Linux's");
        var (upper, _) = Tree();
        Assert.Equal(DirectoryUsage.Outcome.OverBudget, DirectoryUsage.Measure([upper], TimeSpan.Zero, out _));
        Assert.Equal(DirectoryUsage.Outcome.Missing, DirectoryUsage.Measure([Path.Combine(_dir, "absent")], TimeSpan.FromSeconds(10), out _));
        Assert.Equal(DirectoryUsage.Outcome.Missing, DirectoryUsage.Measure([], TimeSpan.FromSeconds(10), out _));
        // A layer path that is not a directory cannot be walked: no figure, no exception.
        Assert.Equal(DirectoryUsage.Outcome.Unreadable, DirectoryUsage.Measure([Path.Combine(upper, "a.bin")], TimeSpan.FromSeconds(10), out _));
    }

    [Fact]
    public async Task Walks_run_at_most_once_a_period_and_keep_the_last_complete_figure()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "statx is Linux's");
        var (upper, _) = Tree();
        var clock = new SteppedClock();
        var walks = 0;
        var budget = TimeSpan.FromSeconds(10);
        var usage = new WritableLayerUsage(clock, TimeSpan.FromMinutes(1), budget, walk => { walks++; walk(); });

        Assert.True(usage.TryGet("c1", [upper], out var first));
        Assert.Equal(1, walks);
        Assert.Equal(await Du(upper), first.Bytes);
        Assert.True(Statvfs.TryGet(upper, out var fs, out _));
        Assert.Equal((long)(fs.Blocks * fs.FragmentSize), first.Limit);

        File.WriteAllBytes(Path.Combine(upper, "grown.bin"), new byte[200_000]);
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.True(usage.TryGet("c1", [upper], out var stale));
        Assert.Equal(1, walks);
        Assert.Equal(first.Bytes, stale.Bytes);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(usage.TryGet("c1", [upper], out var grown));
        Assert.Equal(2, walks);
        Assert.Equal(await Du(upper), grown.Bytes);
        Assert.True(grown.Bytes >= first.Bytes + 200_000);

        // Gone and back: a forgotten container starts over with a walk of its own.
        usage.Forget("c1");
        Assert.True(usage.TryGet("c1", [upper], out _));
        Assert.Equal(3, walks);
        // No layer (another storage driver): nothing to walk, no figure.
        Assert.False(usage.TryGet("c2", [], out _));
        Assert.Equal(3, walks);
    }

    [Fact]
    public async Task A_walk_that_does_not_complete_keeps_the_previous_figure()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "statx is Linux's");
        var (upper, _) = Tree();
        var clock = new SteppedClock();
        // Never within budget: no figure at all rather than a partial one.
        var hopeless = new WritableLayerUsage(clock, TimeSpan.FromMinutes(1), TimeSpan.Zero, walk => walk());
        Assert.False(hopeless.TryGet("c1", [upper], out _));

        var usage = new WritableLayerUsage(clock, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10), walk => walk());
        Assert.True(usage.TryGet("c1", [upper], out var figure));
        Assert.Equal(await Du(upper), figure.Bytes);
        Directory.Delete(upper, recursive: true);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(usage.TryGet("c1", [upper], out var kept));
        Assert.Equal(figure, kept);
    }

    [Fact]
    public void One_walk_at_a_time_and_the_next_container_waits_for_the_next_cycle()
    {
        var clock = new SteppedClock();
        var pending = new List<Action>();
        var usage = new WritableLayerUsage(clock, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), pending.Add);
        Assert.False(usage.TryGet("c1", [_dir], out _));
        Assert.False(usage.TryGet("c2", [_dir], out _));
        Assert.Single(pending);
        pending[0]();
        Assert.False(usage.TryGet("c2", [_dir], out _));
        Assert.Equal(2, pending.Count);
    }

    [Fact]
    public void The_roots_are_the_upper_dir_and_the_log_directory_under_the_root_path()
    {
        var info = new ContainerInfo("id", "web", "img", 1, DateTimeOffset.UnixEpoch, new Dictionary<string, string>())
        {
            UpperDir = "/var/lib/docker/overlay2/abc/diff",
            LogPath = "/var/lib/docker/containers/id/id-json.log",
        };
        Assert.Equal(["/var/lib/docker/overlay2/abc/diff", "/var/lib/docker/containers/id"], WritableLayerUsage.RootsOf(info, "/"));
        Assert.Equal(["/host/var/lib/docker/overlay2/abc/diff", "/host/var/lib/docker/containers/id"], WritableLayerUsage.RootsOf(info, "/host"));
        Assert.Equal(["/var/lib/docker/overlay2/abc/diff"], WritableLayerUsage.RootsOf(info with { LogPath = "" }, "/"));
        Assert.Empty(WritableLayerUsage.RootsOf(info with { UpperDir = "" }, "/"));
    }

    [Fact]
    public async Task The_collector_reports_usage_and_limit_with_the_device_and_the_container_labels()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "statx is Linux's");
        var (upper, _) = Tree();
        var paths = ContainersCollectorFixtureTests.Tree("v1-cgroupfs");
        var layout = CgroupLayout.Discover(paths, "");
        Assert.NotNull(layout);
        // The captured v1 tree's limited container, with a writable layer of the test's.
        const string id = "91907429ee3ca41761a25e19a8a6f5eb79e5f5df35efc578c726970b0e7b5ee5";
        var info = new ContainerInfo(id, "web", "nginx:1.25", 4512, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), new Dictionary<string, string>())
        {
            UpperDir = upper,
        };
        var usage = new WritableLayerUsage(new SteppedClock(), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10), walk => walk());
        var collector = new ContainersCollector(layout, paths, [], new TestInventory(info), new FixedClock(DateTimeOffset.UnixEpoch), layers: usage);
        var families = new List<MetricFamily>();
        collector.Collect(families);

        var used = families.Single(f => f.Name == "container_fs_usage_bytes");
        var limit = families.Single(f => f.Name == "container_fs_limit_bytes");
        Assert.Equal(MetricType.Gauge, used.Type);
        Assert.Equal("Number of bytes that are consumed by the container on this filesystem.", used.Help);
        Assert.Equal("Number of bytes that can be consumed by the container on this filesystem.", limit.Help);
        Assert.Equal(await Du(upper), used.Samples.Single().Value);
        var labels = used.Samples.Single().Labels.ToDictionary(l => l.Name, l => l.Value);
        Assert.Equal("web", labels["name"]);
        Assert.Equal("nginx:1.25", labels["image"]);
        Assert.EndsWith(id, labels["id"], StringComparison.Ordinal);
        Assert.Same(used.Samples.Single().Labels, limit.Samples.Single().Labels);
    }

    /// <summary>A monotonic clock the test moves by hand.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
