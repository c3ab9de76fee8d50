using System.Security.Cryptography;
using System.Text;
using Agent.Collectors;
using Agent.Collectors.Containers.Cgroups;
using Agent.Collectors.Exposition;
using Agent.Collectors.Host.Procfs;
using Agent.Collectors.Process.Procfs;
using Agent.Config;
using Agent.Exporters.Loki;
using Agent.Logs;
using Agent.Logs.Docker;
using Agent.Logs.Processing;
using Agent.Pipeline;
using Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Agent.Tests.Fuzz;

/// <summary>
/// Every parser of outside input (kernel files, cgroup files, mountinfo, the config, the
/// positions file, log lines, Loki's answers) fed fixed-seed mutations of real inputs: none may
/// throw anything but its documented error. A bounded run is part of every test run; set
/// AGENT_FUZZ_ITERATIONS for a longer one. An input that breaks a parser is written to
/// fixtures/fuzz/TARGET/ and replayed by every later run, so a fixed crash stays fixed.
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly int Iterations =
        int.TryParse(Environment.GetEnvironmentVariable("AGENT_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 1500;

    /// <param name="Share">Of <see cref="Iterations"/>: the config and positions parsers cost milliseconds per input, not microseconds.</param>
    private sealed record Target(string[] Seeds, Action<byte[]> Parse, Func<Exception, bool>? Expected = null, double Share = 1);

    private static string[] Seeds(params string[] relative) => [.. relative.Select(r => Fixtures.Path(r.Split('/')))];

    private static string[] Under(string relative, string fileName) =>
        [.. Directory.EnumerateFiles(Fixtures.Path(relative.Split('/')), fileName, SearchOption.AllDirectories).Order().Take(4)];

    private static readonly string ScratchDir = Directory.CreateTempSubdirectory("agent-fuzz-").FullName;

    private static readonly Dictionary<string, Target> Targets = new()
    {
        ["meminfo"] = new(Seeds("host/proc/meminfo"), b => MeminfoParser.Parse(b, (_, _, _) => { })),
        ["proc-stat"] = new(Seeds("host/proc/stat"), b => ProcStatParser.ParseCpus(b, [])),
        ["proc-mounts"] = new(Under("host", "mounts"), b => MountsParser.Parse(b, [])),
        ["net-dev"] = new(Under("containers", "dev"), b =>
        {
            Span<long> values = stackalloc long[16];
            foreach (var line in Encoding.Latin1.GetString(b).Split('\n')) NetDevParser.TryParseLine(Encoding.Latin1.GetBytes(line), out _, values, out _);
        }),
        ["pid-stat"] = new(Under("process/proc", "stat"), b => PidStatParser.TryParse(b, out _, out _)),
        ["pid-status"] = new(Under("process/proc", "status"), b => PidStatusParser.TryParse(b, out _)),
        ["pid-io"] = new(Under("process/proc", "io"), b => PidIoParser.TryParse(b, out _)),
        ["pid-limits"] = new(Under("process/proc", "limits"), b => PidLimitsParser.TryParseOpenFiles(b, out _)),
        ["pid-smaps"] = new(Under("process/proc", "smaps_rollup"), b => PidSmapsParser.TryParse(b, out _)),
        ["pid-cmdline"] = new(Under("process/proc", "cmdline"), b => PidCmdlineParser.Parse(b)),
        ["mountinfo"] = new(Under("containers", "mountinfo"), b => MountinfoParser.ParseCgroupMounts(b)),
        ["proc-cgroup"] = new(Under("containers", "cgroup"), b => ProcCgroupParser.PathOf(b, "memory"u8)),
        ["cgroup-cpu-stat"] = new(Under("containers", "cpu.stat"), b => CpuStatParser.Parse(b)),
        ["cgroup-cpu-max"] = new(Under("containers", "cpu.max"), b => CpuMaxParser.TryParse(b, out _, out _)),
        ["cgroup-cpuacct-stat"] = new(Under("containers", "cpuacct.stat"), b => CpuacctStatParser.TryParse(b, out _, out _)),
        ["cgroup-memory-stat"] = new(Under("containers", "memory.stat"), b => { MemoryStatParser.ParseV1(b); MemoryStatParser.ParseV2(b); }),
        ["cgroup-memory-events"] = new(Under("containers", "memory.events"), b => MemoryEventsParser.Parse(b, out _, out _, out _)),
        ["cgroup-io-stat"] = new(Under("containers", "io.stat"), b => IoStatParser.Parse(b, [])),
        ["cgroup-blkio"] = new(Under("containers", "blkio.throttle.io_service_bytes"), b => BlkioServiceBytesParser.Parse(b, [])),
        ["exposition"] = new(Under("host/textfile", "*.prom"), b =>
        {
            ExpositionFamilies.TryParse(b, ExpositionFormat.Text, [], out _);
            ExpositionFamilies.TryParse(b, ExpositionFormat.OpenMetrics, [], out _);
        }),
        ["config"] = new(Seeds("../../agent.toml.example"), b => ConfigLoader.Parse(Encoding.UTF8.GetString(b), "fuzz.toml", _ => null),
            e => e is ConfigException, Share: 0.2),
        ["positions"] = new([PositionsSeed()], b =>
        {
            File.WriteAllBytes(Path.Combine(ScratchDir, "positions.json"), b);
            _ = new PositionsStore(ScratchDir, NullLogger.Instance);
        }, Share: 0.2),
        ["level"] = new([LineSeed("{\"ts\":1,\"level\":\"warn\",\"msg\":\"x\"}"), LineSeed("ts=1 level=error msg=\"x y\" a=b")], b => LevelParser.Parse(b)),
        ["docker-timestamp"] = new([LineSeed("2026-11-24T12:00:00.123456789Z hello")], b => DockerTimestamp.TryParse(b, out _, out _)),
        ["loki-rejection"] = new([LineSeed("entry for stream '{a=\"b\"}' has timestamp too old; total ignored: 3 out of 10")],
            b => LokiRejection.IgnoredCount(Encoding.UTF8.GetString(b))),
        ["loki-stream-limit"] = new([LineSeed("Maximum active stream limit exceeded when trying to create stream {a=\"b\"}")],
            b => LokiExporter.IsStreamLimit(Encoding.UTF8.GetString(b))),
    };

    private static string LineSeed(string line)
    {
        var path = Path.Combine(ScratchDir, $"seed-{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(line)))[..12]}");
        File.WriteAllText(path, line);
        return path;
    }

    private static string PositionsSeed() => LineSeed("""
        {"Version":2,"Files":[{"Path":"/var/log/a.log","Device":2049,"Inode":131,"Fingerprint":"ab12","Offset":4096}],
         "Containers":[{"Id":"3f4c2a9e8b7d","Since":1732449600123456789}]}
        """);

    public static TheoryData<string> Names() => [.. Targets.Keys.Order()];

    [Theory]
    [MemberData(nameof(Names))]
    public void Mutated_inputs_never_crash_the_parser(string name)
    {
        var target = Targets[name];
        Assert.NotEmpty(target.Seeds);
        var seeds = target.Seeds.Select(File.ReadAllBytes).ToArray();
        var mutator = new Mutator(18_000 + name.Length);
        var failures = new List<string>();
        foreach (var seed in seeds) Run(name, target, seed, failures);
        var iterations = (int)(Iterations * target.Share);
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < iterations && failures.Count < 5; i++)
        {
            Run(name, target, mutator.Mutate(seeds[i % seeds.Length]), failures);
        }
        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
        TestReport.Write($"fuzz {name}: {iterations + seeds.Length} inputs in {seconds:F1} s, {failures.Count} crashes");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>The targets with kept crash inputs under fixtures/fuzz.</summary>
    public static TheoryData<string> Crashed() =>
        [.. Directory.EnumerateDirectories(Fixtures.Path("fuzz")).Select(d => Path.GetFileName(d)!).Order()];

    [Theory]
    [MemberData(nameof(Crashed))]
    public void Inputs_that_once_crashed_stay_fixed(string name)
    {
        var files = Directory.EnumerateFiles(Fixtures.Path("fuzz", name)).Order().ToList();
        Assert.NotEmpty(files);
        var failures = new List<string>();
        foreach (var file in files) Run(name, Targets[name], File.ReadAllBytes(file), failures, keep: false);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static void Run(string name, Target target, byte[] input, List<string> failures, bool keep = true)
    {
        try
        {
            target.Parse(input);
        }
        catch (Exception e) when (target.Expected?.Invoke(e) == true)
        {
        }
        catch (Exception e)
        {
            var where = "";
            if (keep)
            {
                var dir = Directory.CreateDirectory(Fixtures.Path("fuzz", name)).FullName;
                where = Path.Combine(dir, "crash-" + Convert.ToHexString(SHA256.HashData(input))[..16]);
                File.WriteAllBytes(where, input);
            }
            failures.Add($"{name}: {e.GetType().Name}: {e.Message} {where}\n{e.StackTrace}");
        }
    }
}
