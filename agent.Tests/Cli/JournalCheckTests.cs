using System.Runtime.InteropServices;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Cli;

/// <summary>`agent check` says whether the journal can be read, and why not; without libsystemd everything else runs.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class JournalCheckTests : IDisposable
{
    private const int Nobody = 65534;
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-journal-check-").FullName;

    public JournalCheckTests()
    {
        // Readable by the unprivileged agent of the permission test.
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
        var data = Directory.CreateDirectory(Path.Combine(_dir, "data"));
        File.SetUnixFileMode(data.FullName, (UnixFileMode)0b111_111_111);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string JournalDir => Path.Combine(_dir, "journal");

    private async Task<string> ConfigAsync(string pushUrl, string extra = "")
    {
        Directory.CreateDirectory(JournalDir);
        File.SetUnixFileMode(JournalDir, (UnixFileMode)0b111_101_101);
        var entry = JournalExportEntry.Text(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 - 5_000_000, 1_000_000, "checked", ("_SYSTEMD_UNIT", "a.service"));
        await JournalRemote.WriteAsync(Path.Combine(JournalDir, "remote.journal"), [entry]);
        var config = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(config, $"""
            [agent]
            interval = "1h"
            data_dir = "{_dir}/data"
            [http]
            listen = ""
            [host]
            enabled = false
            [process]
            enabled = false
            [containers]
            enabled = false
            [[loki]]
            url = "{pushUrl}"
            batch_wait = "100ms"
            [logs.docker]
            enabled = false
            [logs.journal]
            enabled = true
            path = "{JournalDir}"
            read_from = "beginning"
            {extra}
            """);
        return config;
    }

    [Fact]
    public async Task A_readable_journal_passes_with_its_files_and_newest_entry()
    {
        await using var receiver = new LokiReceiver();
        var config = await ConfigAsync(receiver.PushUrl);
        var (code, stdout, stderr) = await AgentProcess.RunAsync(["check", "--config", config], timeout: TimeSpan.FromSeconds(30));
        Assert.True(code == 0, stdout + stderr);
        Assert.Matches($@"PASS  logs\.journal +{JournalDir}: 1 file\(s\), [0-9.]+ MiB, newest entry [0-9] s ago \(libsystemd\.so\.0\)", stdout);
    }

    [Fact]
    public async Task Journal_files_this_user_cannot_read_fail_naming_the_groups()
    {
        if (Environment.UserName != "root") Assert.Skip("needs root to run the agent as another user");
        await using var receiver = new LokiReceiver();
        var config = await ConfigAsync(receiver.PushUrl);
        // As journald leaves them: 0640, group systemd-journal, the agent's user in neither group.
        File.SetUnixFileMode(Path.Combine(JournalDir, "remote.journal"), (UnixFileMode)0b110_100_000);
        var (code, stdout, stderr) = await AgentProcess.RunAsync(["check", "--config", config], timeout: TimeSpan.FromSeconds(30), asUid: Nobody);
        Assert.True(code == 1, stdout + stderr);
        Assert.Contains($"FAIL  logs.journal       {JournalDir}: 1 of 1 journal file(s) not readable by this user (e.g. {JournalDir}/remote.journal): "
            + "add the agent's user to group systemd-journal or adm", stdout);
    }

    [Fact]
    public async Task Without_libsystemd_check_says_unavailable_and_run_ships_the_other_sources()
    {
        if (Environment.UserName != "root") Assert.Skip("needs root for a mount namespace that hides libsystemd");
        var library = Path.GetFullPath(ResolveLibsystemd());
        await using var receiver = new LokiReceiver();
        var log = Path.Combine(_dir, "app.log");
        File.WriteAllText(log, "file line 1\nfile line 2\n");
        var config = await ConfigAsync(receiver.PushUrl, $"[[logs.files]]\npaths = [\"{log}\"]\n[logs]\nread_from = \"beginning\"");
        // libsystemd.so.0 is /dev/null for this process only: dlopen fails as on a host without it.
        string Hidden(string command) => $"mount --bind /dev/null {library} && exec {AgentProcess.Executable} {command} --config {config}";

        var (code, stdout, stderr) = await Command.RunAsync("unshare", ["--mount", "sh", "-c", Hidden("check")], TimeSpan.FromSeconds(30));
        Assert.True(code == 1, stdout + stderr);
        Assert.Contains("FAIL  logs.journal       unavailable: libsystemd.so.0 not found (install libsystemd0) (everything else runs; "
            + "[logs.journal] enabled = false says so)", stdout);

        // unshare and sh exec in turn: the process started becomes the agent, and TERM goes to it.
        var psi = new System.Diagnostics.ProcessStartInfo("unshare", ["--mount", "sh", "-c", Hidden("run")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var agent = System.Diagnostics.Process.Start(psi)!;
        var output = Task.WhenAll(agent.StandardOutput.ReadToEndAsync(), agent.StandardError.ReadToEndAsync());
        try
        {
            var lines = await receiver.WaitForLinesAsync(2, TimeSpan.FromSeconds(30));
            Assert.Equal(["file line 1", "file line 2"], lines);
        }
        finally
        {
            await Command.RunAsync("kill", ["-TERM", agent.Id.ToString()], TimeSpan.FromSeconds(10));
            await agent.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        }
        Assert.Equal(0, agent.ExitCode);
        Assert.Contains("[logs.journal] is enabled but the journal cannot be read here: libsystemd.so.0 not found (install libsystemd0)",
            string.Concat(await output));
    }

    /// <summary>The file the dynamic loader opens for libsystemd.so.0 (found the way the agent finds it).</summary>
    private static string ResolveLibsystemd()
    {
        if (!NativeLibrary.TryLoad("libsystemd.so.0", out var handle)) Assert.Skip("no libsystemd.so.0 on this host to hide");
        NativeLibrary.Free(handle);
        foreach (var dir in new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib" })
        {
            var candidate = Path.Combine(dir, "libsystemd.so.0");
            if (File.Exists(candidate)) return new FileInfo(candidate).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? candidate;
        }
        Assert.Skip("libsystemd.so.0 loads but is in no usual directory");
        return "";
    }
}
