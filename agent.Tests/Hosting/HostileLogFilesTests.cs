using System.Runtime.Versioning;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Hosting;

/// <summary>
/// The real agent executable on a log tree a hostile host could hold: FIFOs with and without a
/// writer, a socket, a link to /dev/null, symlink loops, an unreadable subdirectory. The regular
/// files beside them are tailed to Loki exactly once, memory and descriptors stay flat, SIGTERM
/// ends the agent within shutdown_timeout + 5 s, and `agent check` finishes naming each skipped
/// path in a sentence.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class HostileLogFilesTests : IDisposable
{
    private const int Nobody = 65534;
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(2);
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-hostile-").FullName;
    private readonly string _logs;
    private readonly SpecialFiles _special = new();

    public HostileLogFilesTests()
    {
        // Readable by the unprivileged agent of the permission tests.
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
        _logs = Path.Combine(_dir, "logs");
        Directory.CreateDirectory(_logs);
        var data = Directory.CreateDirectory(Path.Combine(_dir, "data"));
        File.SetUnixFileMode(data.FullName, (UnixFileMode)0b111_111_111);
    }

    public void Dispose()
    {
        _special.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Glob => Path.Combine(_logs, "**", "*.log");

    /// <summary>Two regular files (one deep below the loops) among every kind of special file.</summary>
    private (string App, string Nested) HostileTree()
    {
        SpecialFiles.SymlinkLoops(_logs);
        SpecialFiles.Fifo(Path.Combine(_logs, "quiet.log"));
        _special.FifoWithWriter(Path.Combine(_logs, "sub", "busy.log"));
        _special.Socket(Path.Combine(_logs, "sub", "deeper", "sock.log"));
        File.CreateSymbolicLink(Path.Combine(_logs, "null.log"), "/dev/null");
        var app = Path.Combine(_logs, "app.log");
        var nested = Path.Combine(_logs, "sub", "deeper", "deepest", "nested.log");
        File.WriteAllText(app, "");
        File.WriteAllText(nested, "");
        return (app, nested);
    }

    private string Config(string pushUrl)
    {
        var path = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(path, $"""
            [agent]
            interval = "1s"
            shutdown_timeout = "{ShutdownTimeout.TotalSeconds}s"
            data_dir = "{_dir}/data"
            [http]
            listen = ""
            [containers]
            enabled = false
            [process]
            enabled = false
            [[loki]]
            url = "{pushUrl}"
            batch_wait = "200ms"
            [logs]
            read_from = "beginning"
            [[logs.files]]
            paths = ["{Glob}"]
            """);
        return path;
    }

    private static async Task WaitForOutputAsync(AgentProcess agent, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(agent.Stdout + agent.Stderr).Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"never printed \"{text}\":\n{agent.Stdout}\n{agent.Stderr}");
            await Task.Delay(100);
        }
    }

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static async Task WriteLinesAsync(string path, string prefix, int count)
    {
        await using var writer = new StreamWriter(path, append: true);
        for (var i = 0; i < count; i++) await writer.WriteLineAsync($"{prefix} {i:D4}");
    }

    /// <summary>No stack trace and no runtime resource key ("IO_FileNotFound_FileName") in what the agent printed.</summary>
    private static void AssertSentencesOnly(string output)
    {
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotMatch(@"\b[A-Z][A-Za-z]+_[A-Z][A-Za-z]+(_[A-Za-z]+)*\b", output);
    }

    private static async Task AssertStopsWithinDeadlineAsync(AgentProcess agent)
    {
        var started = DateTime.UtcNow;
        var exit = await agent.TerminateAsync(ShutdownTimeout + TimeSpan.FromSeconds(15));
        var took = DateTime.UtcNow - started;
        Assert.True(exit == 0, $"exit {exit}\n{agent.Stdout}\n{agent.Stderr}");
        Assert.True(took < ShutdownTimeout + TimeSpan.FromSeconds(5), $"SIGTERM took {took.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task Special_files_and_symlink_loops_are_skipped_and_the_regular_files_beside_them_tailed_once()
    {
        var (app, nested) = HostileTree();
        await using var receiver = new LokiReceiver();
        await using var agent = AgentProcess.Start(["run", "--config", Config(receiver.PushUrl)]);
        await WaitForOutputAsync(agent, "tailing " + app);
        await WaitForOutputAsync(agent, "tailing " + nested);
        await WriteLinesAsync(app, "app", 500);
        await WriteLinesAsync(nested, "nested", 500);
        var lines = await receiver.WaitForLinesAsync(1000, TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"app {i:D4}"), lines.Where(l => l.StartsWith("app ")));
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"nested {i:D4}"), lines.Where(l => l.StartsWith("nested ")));
        Assert.Equal(1000, lines.Count);

        // Many scans (one a second) later: memory and descriptors flat, each special file named once.
        var rss = new List<long>();
        var descriptors = agent.OpenDescriptors();
        for (var i = 0; i < 6; i++)
        {
            rss.Add(agent.ResidentBytes());
            await Task.Delay(1000);
        }
        Assert.InRange(agent.OpenDescriptors(), 0, descriptors + 2);
        Assert.True(rss.Max() < 200L << 20, $"RSS reached {rss.Max() >> 20} MiB");
        TestReport.Write($"hostile log tree: agent RSS {rss.Min() >> 20}-{rss.Max() >> 20} MiB over 6 s, {descriptors} descriptors");
        var output = agent.Stdout + agent.Stderr;
        foreach (var special in new[] { "quiet.log is a FIFO", "busy.log is a FIFO", "sock.log is a socket", "null.log is a device", "itself.log (too many levels of symbolic links)" })
        {
            Assert.True(Occurrences(output, special) == 1, $"\"{special}\" printed {Occurrences(output, special)} times:\n{output}");
        }
        Assert.DoesNotContain(receiver.Accepted, a => a.Line == "written-to-fifo");

        await AssertStopsWithinDeadlineAsync(agent);
        AssertSentencesOnly(agent.Stdout + agent.Stderr);
    }

    [Fact]
    public async Task Check_finishes_and_names_each_skipped_path_in_a_sentence()
    {
        HostileTree();
        await using var receiver = new LokiReceiver();
        var (code, stdout, stderr) = await AgentProcess.RunAsync(["check", "--config", Config(receiver.PushUrl)], timeout: TimeSpan.FromSeconds(30));
        var prefix = $"logs.files[0]      {Glob}: ";
        Assert.Contains("PASS  " + prefix + "2 file(s) readable", stdout);
        Assert.Contains($"WARN  {prefix}{_logs}/quiet.log is a FIFO (named pipe), not a regular file: not tailed, since reading it would block or never end", stdout);
        Assert.Contains($"WARN  {prefix}{_logs}/sub/busy.log is a FIFO (named pipe)", stdout);
        Assert.Contains($"WARN  {prefix}{_logs}/sub/deeper/sock.log is a socket, not a regular file: not tailed", stdout);
        Assert.Contains($"WARN  {prefix}{_logs}/null.log is a device, not a regular file: not tailed", stdout);
        // A link naming itself can never be read: a failure, so the check exits 1.
        Assert.Contains($"FAIL  {prefix}cannot open {_logs}/itself.log (too many levels of symbolic links): not tailed until it becomes readable", stdout);
        Assert.True(code == 1, stdout + stderr);
        AssertSentencesOnly(stdout + stderr);
    }

    [Fact]
    public async Task An_unreadable_subdirectory_is_reported_and_the_rest_of_the_glob_tailed()
    {
        var open = Directory.CreateDirectory(Path.Combine(_logs, "open")).FullName;
        var locked = Directory.CreateDirectory(Path.Combine(_logs, "locked")).FullName;
        File.WriteAllText(Path.Combine(locked, "hidden.log"), "never read\n");
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var app = Path.Combine(open, "app.log");
        File.WriteAllText(app, "");
        File.SetUnixFileMode(app, (UnixFileMode)0b110_110_110);
        await using var receiver = new LokiReceiver();
        var config = Config(receiver.PushUrl);
        var sentence = $"cannot list directory {locked} (permission denied): files below it are not tailed, the rest of the glob is";

        var (code, stdout, stderr) = await AgentProcess.RunAsync(["check", "--config", config], timeout: TimeSpan.FromSeconds(30), asUid: Nobody);
        Assert.True(code == 1, stdout + stderr);
        Assert.Contains($"PASS  logs.files[0]      {Glob}: 1 file(s) readable", stdout);
        Assert.Contains($"FAIL  logs.files[0]      {Glob}: {sentence}", stdout);
        AssertSentencesOnly(stdout + stderr);

        await using var agent = AgentProcess.Start(["run", "--config", config], asUid: Nobody);
        await WaitForOutputAsync(agent, "tailing " + app);
        await WriteLinesAsync(app, "app", 100);
        var lines = await receiver.WaitForLinesAsync(100, TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"app {i:D4}"), lines);
        await Task.Delay(2000);
        Assert.Equal(1, Occurrences(agent.Stdout + agent.Stderr, sentence));
        await AssertStopsWithinDeadlineAsync(agent);
        AssertSentencesOnly(agent.Stdout + agent.Stderr);
    }
}
