using Agent.Collectors;
using Agent.Collectors.Process;
using Agent.Config;
using Agent.Pipeline;
using Xunit;

namespace Agent.Tests.Collectors.Process;

/// <summary>
/// The collector on a captured /proc (agent.Tests/fixtures/process): a kernel thread and a
/// kworker, a zombie child, a process whose io is unreadable, a multi-threaded process whose
/// comm holds spaces and parentheses, two shells with one comm. A copy is edited between
/// cycles to show that group counters never go backwards and that pids are reused safely.
/// </summary>
public sealed class ProcessCollectorFixtureTests : IDisposable
{
    private static readonly double PageSize = Environment.SystemPageSize;
    private const double BootTime = 1_700_000_000;

    private readonly string _dir = Directory.CreateTempSubdirectory("agent-process-").FullName;

    public ProcessCollectorFixtureTests()
    {
        Copy(Support.Fixtures.Path("process"), _dir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Proc(params string[] parts) => Path.Combine([_dir, "proc", .. parts]);

    private ProcessCollector Collector(ProcessSection? settings = null, TimeProvider? clock = null) =>
        new(new HostPaths(Proc(), "/sys", _dir), settings ?? new ProcessSection(), clock ?? new FixedClock(BootTime + 3600));

    [Fact]
    public void Groups_every_process_with_a_command_line_by_comm()
    {
        var m = Collect(Collector());
        // kthreadd and its kworker have no command line and no tracked parent: not grouped.
        Assert.Equal(["bash", "my (odd) app", "sshd", "systemd"], Groups(m));
        Assert.Equal(2, m["namedprocess_namegroup_num_procs{groupname=bash}"]);
        // The zombie has no command line either, but its parent is tracked (process-exporter's -children).
        Assert.Equal(2, m["namedprocess_namegroup_num_procs{groupname=my (odd) app}"]);
        Assert.Equal(4, m["namedprocess_namegroup_num_threads{groupname=my (odd) app}"]);
        Assert.Equal(300 * PageSize, m["namedprocess_namegroup_memory_bytes{groupname=my (odd) app,memtype=resident}"]);
        Assert.Equal(41881600, m["namedprocess_namegroup_memory_bytes{groupname=my (odd) app,memtype=virtual}"]);
        Assert.Equal(128 * 1024, m["namedprocess_namegroup_memory_bytes{groupname=my (odd) app,memtype=swapped}"]);
        Assert.False(m.ContainsKey("namedprocess_namegroup_memory_bytes{groupname=my (odd) app,memtype=proportionalResident}"));
        // The zombie's fd directory is unreadable: it adds nothing and no ratio.
        Assert.Equal(10, m["namedprocess_namegroup_open_filedesc{groupname=my (odd) app}"]);
        Assert.Equal(7, m["namedprocess_namegroup_open_filedesc{groupname=bash}"]);
        Assert.Equal(4 / 524288.0, m["namedprocess_namegroup_worst_fd_ratio{groupname=systemd}"]);
        Assert.Equal(4 / 1024.0, m["namedprocess_namegroup_worst_fd_ratio{groupname=bash}"]);
        Assert.Equal(BootTime + 10, m["namedprocess_namegroup_oldest_start_time_seconds{groupname=bash}"]);
        Assert.Equal(BootTime + 5, m["namedprocess_namegroup_oldest_start_time_seconds{groupname=my (odd) app}"]);
        // States count the process and, for a multi-threaded one, each of its threads.
        Assert.Equal(3, m["namedprocess_namegroup_states{groupname=my (odd) app,state=Sleeping}"]);
        Assert.Equal(1, m["namedprocess_namegroup_states{groupname=my (odd) app,state=Running}"]);
        Assert.Equal(1, m["namedprocess_namegroup_states{groupname=my (odd) app,state=Zombie}"]);
        Assert.Equal(1, m["namedprocess_namegroup_states{groupname=bash,state=Running}"]);
        // Processes that existed before the first cycle count from zero.
        Assert.Equal(0, m["namedprocess_namegroup_cpu_seconds_total{groupname=bash,mode=user}"]);
        // Threads: per name within the group; single-threaded processes have none.
        Assert.Equal(2, m["namedprocess_namegroup_thread_count{groupname=my (odd) app,threadname=worker}"]);
        Assert.Equal(1, m["namedprocess_namegroup_thread_count{groupname=my (odd) app,threadname=my (odd) app}"]);
        Assert.DoesNotContain(m.Keys, k => k.StartsWith("namedprocess_namegroup_thread_count{groupname=bash", StringComparison.Ordinal));
        // Missing io (sshd, the zombie) and fd directories (kernel threads, zombie) are partial reads, not failures.
        Assert.Equal(4, m["namedprocess_scrape_partial_errors"]);
        Assert.Equal(0, m["namedprocess_scrape_procread_errors"]);
        Assert.Equal(0, m["namedprocess_scrape_errors"]);
    }

    [Fact]
    public void Counters_grow_by_what_processes_did_and_never_go_backwards()
    {
        var collector = Collector();
        Collect(collector);
        // bash 401 runs for a second of user time, a thread of the java app for half a second.
        Rewrite(Proc("401", "stat"), " 900 1 ", " 1000 1 ");
        Rewrite(Proc("100", "stat"), " 300 40 ", " 350 40 ");
        Rewrite(Proc("100", "task", "101", "stat"), " 60 10 ", " 110 10 ");
        Rewrite(Proc("100", "task", "101", "status"), "voluntary_ctxt_switches:\t20", "voluntary_ctxt_switches:\t25");
        var m = Collect(collector);
        Assert.Equal(1.0, m["namedprocess_namegroup_cpu_seconds_total{groupname=bash,mode=user}"], 6);
        Assert.Equal(0.5, m["namedprocess_namegroup_cpu_seconds_total{groupname=my (odd) app,mode=user}"], 6);
        Assert.Equal(0.5, m["namedprocess_namegroup_thread_cpu_seconds_total{groupname=my (odd) app,mode=user,threadname=worker}"], 6);
        // The process's switches are its threads' (status shows the main thread's only).
        Assert.Equal(5, m["namedprocess_namegroup_context_switches_total{ctxswitchtype=voluntary,groupname=my (odd) app}"]);
        Assert.Equal(5, m["namedprocess_namegroup_thread_context_switches_total{ctxswitchtype=voluntary,groupname=my (odd) app,threadname=worker}"]);

        // The busy shell exits: the group keeps its total.
        Directory.Delete(Proc("401"), recursive: true);
        m = Collect(collector);
        Assert.Equal(1, m["namedprocess_namegroup_num_procs{groupname=bash}"]);
        Assert.Equal(1.0, m["namedprocess_namegroup_cpu_seconds_total{groupname=bash,mode=user}"], 6);

        // Every shell exits: the group stays with its totals and zero gauges, as in process-exporter.
        Directory.Delete(Proc("400"), recursive: true);
        m = Collect(collector);
        Assert.Equal(0, m["namedprocess_namegroup_num_procs{groupname=bash}"]);
        Assert.Equal(1.0, m["namedprocess_namegroup_cpu_seconds_total{groupname=bash,mode=user}"], 6);
    }

    [Fact]
    public void A_process_started_after_the_first_cycle_counts_from_its_start_and_a_reused_pid_is_a_new_process()
    {
        var clock = new FixedClock(BootTime + 3600);
        var collector = Collector(clock: clock);
        Collect(collector);
        // pid 401 is reused by a new bash started (by its start time) after the first cycle.
        var ticks = (long)(3700 * 100);
        Rewrite(Proc("401", "stat"), " 1100 ", $" {ticks} ");
        var m = Collect(collector);
        Assert.Equal(9.0, m["namedprocess_namegroup_cpu_seconds_total{groupname=bash,mode=user}"], 6);
        Assert.Equal(0.01, m["namedprocess_namegroup_cpu_seconds_total{groupname=bash,mode=system}"], 6);
        Assert.Equal(100, m["namedprocess_namegroup_minor_page_faults_total{groupname=bash}"]);
        Assert.Equal(2, m["namedprocess_namegroup_num_procs{groupname=bash}"]);
    }

    [Fact]
    public void Configured_groups_first_match_wins_and_unmatched_children_follow_their_parent()
    {
        var settings = new ProcessSection
        {
            Smaps = true,
            Matchers =
            [
                new GroupMatcher("java:{{.Matches.app}}", null, ["java"], [@"-jar\s+(?P<app>\S+)"]),
                new GroupMatcher("{{.Username}} shells", ["bash"], null, null),
                new GroupMatcher("anything", null, null, [".+"]),
            ],
        };
        var m = Collect(Collector(settings));
        Assert.Equal(["alice shells", "anything", "java:/srv/shop.jar"], Groups(m));
        Assert.Equal(2, m["namedprocess_namegroup_num_procs{groupname=java:/srv/shop.jar}"]);
        Assert.Equal(2, m["namedprocess_namegroup_num_procs{groupname=anything}"]);
        Assert.Equal((1 + 300) * 1024, m["namedprocess_namegroup_memory_bytes{groupname=anything,memtype=proportionalResident}"]);
        Assert.Equal(2 * 2 * 1024, m["namedprocess_namegroup_memory_bytes{groupname=anything,memtype=proportionalSwapped}"]);

        // Without children the zombie stays out; without threads there are no thread families and
        // the process's switches and states are its own.
        settings = new ProcessSection { Children = false, Threads = false, Matchers = [new GroupMatcher("{{.Comm}}", ["my (odd) app"], null, null)] };
        m = Collect(Collector(settings));
        Assert.Equal(["my (odd) app"], Groups(m));
        Assert.Equal(1, m["namedprocess_namegroup_num_procs{groupname=my (odd) app}"]);
        Assert.Equal(1, m["namedprocess_namegroup_states{groupname=my (odd) app,state=Sleeping}"]);
        Assert.DoesNotContain(m.Keys, k => k.StartsWith("namedprocess_namegroup_thread_", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 3)]
    public void An_unmatched_process_is_matched_again_only_with_recheck(bool recheck, double expected)
    {
        var collector = Collector(new ProcessSection { Recheck = recheck, Matchers = [new GroupMatcher("{{.Comm}}", ["renamed"], null, null)] });
        Assert.DoesNotContain(Collect(collector).Keys, k => k.StartsWith("namedprocess_namegroup_num_procs", StringComparison.Ordinal));
        // sshd changes its comm (prctl PR_SET_NAME) after the agent first saw it; with recheck it
        // joins the group, and its two shells, unmatched too, follow it (children).
        Rewrite(Proc("300", "stat"), "(sshd)", "(renamed)");
        Assert.Equal(expected, Collect(collector).GetValueOrDefault("namedprocess_namegroup_num_procs{groupname=renamed}"));
    }

    [Fact]
    public void Families_have_process_exporters_help_and_types()
    {
        var families = new List<MetricFamily>();
        Collector().Collect(families);
        var byName = families.ToDictionary(f => f.Name);
        Assert.Equal(22, byName.Count);
        Assert.Equal("Cpu user usage in seconds", byName["namedprocess_namegroup_cpu_seconds_total"].Help);
        Assert.Equal(MetricType.Counter, byName["namedprocess_namegroup_cpu_seconds_total"].Type);
        Assert.Equal(MetricType.Gauge, byName["namedprocess_namegroup_memory_bytes"].Type);
        Assert.Equal(MetricType.Counter, byName["namedprocess_scrape_partial_errors"].Type);
        foreach (var sample in families.SelectMany(f => f.Samples))
        {
            Assert.Equal(sample.Labels.OrderBy(l => l.Name, StringComparer.Ordinal), sample.Labels);
        }
    }

    [Fact]
    public void A_process_that_vanishes_between_listing_and_reading_is_not_an_error()
    {
        // Listed, then gone before its stat was read: the directory is there, its files are not.
        Directory.CreateDirectory(Proc("999"));
        var m = Collect(Collector());
        Assert.Equal(0, m["namedprocess_scrape_procread_errors"]);
        Assert.Equal(0, m["namedprocess_scrape_errors"]);
        Assert.Equal(4, m["namedprocess_namegroup_num_procs{groupname=bash}"] + m["namedprocess_namegroup_num_procs{groupname=my (odd) app}"]);
    }

    [Fact]
    public void A_missing_proc_is_a_scrape_error_not_an_exception()
    {
        var m = Collect(new ProcessCollector(new HostPaths(Path.Combine(_dir, "nowhere"), "/sys", _dir), new ProcessSection()));
        Assert.Equal(1, m["namedprocess_scrape_errors"]);
        Assert.DoesNotContain(m.Keys, k => k.StartsWith("namedprocess_namegroup_", StringComparison.Ordinal));
    }

    internal static Dictionary<string, double> Collect(ICollector collector)
    {
        var families = new List<MetricFamily>();
        collector.Collect(families);
        var values = new Dictionary<string, double>();
        foreach (var family in families)
        {
            foreach (var sample in family.Samples)
            {
                var key = sample.Labels.Length == 0 ? family.Name : $"{family.Name}{{{string.Join(",", sample.Labels.Select(l => $"{l.Name}={l.Value}"))}}}";
                values.Add(key, sample.Value);
            }
        }
        return values;
    }

    private static string[] Groups(Dictionary<string, double> m) =>
        [.. m.Keys.Where(k => k.StartsWith("namedprocess_namegroup_num_procs{", StringComparison.Ordinal)).Select(k => k["namedprocess_namegroup_num_procs{groupname=".Length..^1]).Order(StringComparer.Ordinal)];

    private static void Rewrite(string path, string from, string to)
    {
        var text = File.ReadAllText(path);
        Assert.Contains(from, text);
        File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from)) Copy(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    private sealed class FixedClock(double unixSeconds) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds((long)(unixSeconds * 1000));
    }
}
