using Agent.Collectors;
using Agent.Collectors.Process;
using Agent.Config;
using Agent.Pipeline;
using Agent.Serving;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Process;

/// <summary>
/// Our process collector against Debian's prometheus-process-exporter on the same host, both
/// grouping by comm (the agent's default, the package's shipped config), while the test keeps
/// 50 sleepers and one busy loop alive under comms of their own: the same families with the
/// same HELP, TYPE and label names; the same groups; equal process and thread counts, start
/// times and fds for the test's groups; memory within 10 %; CPU counters within the time
/// between the two reads.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class ProcessExporterParityTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-pe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>process-exporter families we do not emit, with why.</summary>
    private static readonly Dictionary<string, string> NotEmitted = new()
    {
        ["namedprocess_namegroup_threads_wchan"] = "not in the issue's family list; one more read per process and thread (/proc/<pid>/wchan) every cycle",
    };

    [Fact]
    public async Task Grouped_by_comm_matches_process_exporter()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "process-exporter parity is a Linux test");
        var binary = ServerBinary.Require("prometheus-process-exporter");
        var config = Path.Combine(_dir, "process-exporter.yml");
        File.WriteAllText(config, "process_names:\n  - name: \"{{.Comm}}\"\n    cmdline:\n    - '.+'\n");

        // Both start counting before the test's processes exist, so both count them in full.
        var ours = new ProcessCollector(HostPaths.Default, new ProcessSection());
        ours.Collect([]);
        var port = FreePort.Next();
        await using var exporter = ServerProcess.Start(binary, [$"-config.path={config}", $"-web.listen-address=127.0.0.1:{port}", "-gather-smaps=false"]);
        await exporter.WaitReadyAsync($"http://127.0.0.1:{port}/metrics", TimeSpan.FromSeconds(30));

        // A process counts in full only if it started after the counting began, and both tools
        // date a start from /proc/stat's btime, a whole second that can be up to 1 s before the
        // real boot (0.95 s on these machines): a child started sooner would count from its first
        // read in one tool or both, and the busy loop would show (almost) no CPU.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        using var children = new ChildProcesses();
        children.StartSleepers(50);
        children.StartBusy();
        await Task.Delay(TimeSpan.FromSeconds(2));

        using var http = new HttpClient();
        // A live host can change between the two reads (a thread renamed, a process gone):
        // compare again, up to three times, before calling a difference a bug.
        List<string> problems = [];
        var line = "";
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            (problems, line) = await CompareAsync(ours, http, port, children);
            if (problems.Count == 0) break;
            output.WriteLine($"attempt {attempt}:\n{string.Join("\n", problems)}");
        }
        output.WriteLine(line);
        TestReport.Write(line);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static async Task<(List<string> Problems, string Line)> CompareAsync(ProcessCollector ours, HttpClient http, int port, ChildProcesses children)
    {
        var before = DateTime.UtcNow;
        var mine = ExpositionText.Parse(Render(ours));
        var theirs = ExpositionText.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/metrics"));
        var elapsed = (DateTime.UtcNow - before).TotalSeconds;

        var problems = new List<string>();
        var expected = theirs.Values.Where(f => f.Name.StartsWith("namedprocess_", StringComparison.Ordinal) && !NotEmitted.ContainsKey(f.Name)).ToList();
        var matched = 0;
        foreach (var family in expected)
        {
            if (!mine.TryGetValue(family.Name, out var m))
            {
                problems.Add($"missing {family.Name}");
                continue;
            }
            var before0 = problems.Count;
            if (m.Type != family.Type) problems.Add($"{family.Name}: TYPE {m.Type} vs {family.Type}");
            if (m.Help != family.Help) problems.Add($"{family.Name}: HELP \"{m.Help}\" vs \"{family.Help}\"");
            if (!m.LabelNames.SetEquals(family.LabelNames)) problems.Add($"{family.Name}: labels [{string.Join(",", m.LabelNames)}] vs [{string.Join(",", family.LabelNames)}]");
            if (problems.Count == before0) matched++;
        }
        foreach (var name in mine.Keys.Where(n => n.StartsWith("namedprocess_", StringComparison.Ordinal) && !theirs.ContainsKey(n))) problems.Add($"extra family {name}");

        // Groups: those both see now (a short-lived process may be caught by one read only).
        var ourGroups = Groups(mine);
        var theirGroups = Groups(theirs);
        var common = ourGroups.Intersect(theirGroups).ToHashSet();
        foreach (var comm in new[] { children.SleeperComm, children.BusyComm })
        {
            if (!common.Contains(comm)) problems.Add($"group {comm} missing: ours [{string.Join(" ", ourGroups)}] theirs [{string.Join(" ", theirGroups)}]");
        }
        // Thread series only for groups whose threads did not change between the reads.
        var steadyThreads = common.Where(g => Value(mine, "namedprocess_namegroup_num_threads", g, null, null) == Value(theirs, "namedprocess_namegroup_num_threads", g, null, null)
            && Value(mine, "namedprocess_namegroup_num_procs", g, null, null) == Value(theirs, "namedprocess_namegroup_num_procs", g, null, null)).ToHashSet();
        var threadGroups = steadyThreads.Count(g => Value(mine, "namedprocess_namegroup_num_threads", g, null, null) > Value(mine, "namedprocess_namegroup_num_procs", g, null, null));
        // Per family, the same series (label sets) for every group both have, thread series included.
        foreach (var family in expected.Where(f => mine.ContainsKey(f.Name) && f.Name.StartsWith("namedprocess_namegroup_", StringComparison.Ordinal)))
        {
            var stable = family.Name.StartsWith("namedprocess_namegroup_thread_", StringComparison.Ordinal) ? steadyThreads : common;
            var theirKeys = family.Samples.Where(s => stable.Contains(s.Labels["groupname"])).Select(Key).ToHashSet();
            var ourKeys = mine[family.Name].Samples.Where(s => stable.Contains(s.Labels["groupname"])).Select(Key).ToHashSet();
            if (!theirKeys.SetEquals(ourKeys)) problems.Add($"{family.Name}: series differ: only ours [{string.Join(" ", ourKeys.Except(theirKeys))}] only theirs [{string.Join(" ", theirKeys.Except(ourKeys))}]");
        }

        foreach (var (group, procs) in new[] { (children.SleeperComm, 50), (children.BusyComm, 1) })
        {
            double Ours(string family, string? label = null, string? value = null) => Value(mine, family, group, label, value);
            double Theirs(string family, string? label = null, string? value = null) => Value(theirs, family, group, label, value);
            void Equal(string family, string? label = null, string? value = null)
            {
                if (Ours(family, label, value) != Theirs(family, label, value)) problems.Add($"{family}{{{group},{value}}}: {Ours(family, label, value)} vs {Theirs(family, label, value)}");
            }
            void Near(string family, double tolerance, string? label = null, string? value = null)
            {
                var (a, b) = (Ours(family, label, value), Theirs(family, label, value));
                if (Math.Abs(a - b) > tolerance) problems.Add($"{family}{{{group},{value}}}: {a} vs {b} (tolerance {tolerance})");
            }
            if (Ours("namedprocess_namegroup_num_procs") != procs) problems.Add($"{group}: {Ours("namedprocess_namegroup_num_procs")} processes, started {procs}");
            Equal("namedprocess_namegroup_num_procs");
            Equal("namedprocess_namegroup_num_threads");
            Equal("namedprocess_namegroup_open_filedesc");
            Equal("namedprocess_namegroup_worst_fd_ratio");
            Equal("namedprocess_namegroup_oldest_start_time_seconds");
            Equal("namedprocess_namegroup_memory_bytes", "memtype", "virtual");
            Equal("namedprocess_namegroup_memory_bytes", "memtype", "swapped");
            Near("namedprocess_namegroup_memory_bytes", 0.1 * Theirs("namedprocess_namegroup_memory_bytes", "memtype", "resident"), "memtype", "resident");
            Near("namedprocess_namegroup_minor_page_faults_total", 0.1 * Theirs("namedprocess_namegroup_minor_page_faults_total") + 5);
            Equal("namedprocess_namegroup_major_page_faults_total");
            // CPU: ours was read first; theirs can be ahead by the time between the reads (plus a tick each).
            foreach (var mode in new[] { "user", "system" })
            {
                var (a, b) = (Ours("namedprocess_namegroup_cpu_seconds_total", "mode", mode), Theirs("namedprocess_namegroup_cpu_seconds_total", "mode", mode));
                if (b - a < -0.02 || b - a > elapsed + 0.02) problems.Add($"cpu {group} {mode}: {a} vs {b} after {elapsed:F2}s");
            }
        }
        var busy = Value(mine, "namedprocess_namegroup_cpu_seconds_total", children.BusyComm, "mode", "user") + Value(mine, "namedprocess_namegroup_cpu_seconds_total", children.BusyComm, "mode", "system");
        if (busy < 0.2) problems.Add($"the busy loop used only {busy}s of CPU in 2s");

        var coverage = expected.Count == 0 ? 0 : 100.0 * matched / expected.Count;
        var line = $"process-exporter parity coverage: {matched}/{expected.Count} families ({coverage:F1}%), {common.Count} groups seen by both ({ourGroups.Count} ours, {theirGroups.Count} theirs), thread series compared for {threadGroups} multi-threaded groups; not emitted on purpose: {string.Join(", ", NotEmitted.Keys)}";
        if (expected.Count < 20) problems.Add($"only {expected.Count} families compared: process-exporter output not as expected");
        return (problems, line);
    }

    private static SortedSet<string> Groups(Dictionary<string, ExpositionText.Family> families) =>
        new(families["namedprocess_namegroup_num_procs"].Samples.Select(s => s.Labels["groupname"]), StringComparer.Ordinal);

    private static double Value(Dictionary<string, ExpositionText.Family> families, string family, string group, string? label, string? value) =>
        families[family].Samples.Single(s => s.Labels["groupname"] == group && (label is null || s.Labels[label] == value)).Value;

    private static string Key(ExpositionText.Sample s) =>
        string.Join(",", s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    private static string Render(ProcessCollector collector)
    {
        var families = new List<MetricFamily>();
        collector.Collect(families);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        TextFormatWriter.Write(buffer, families, []);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
