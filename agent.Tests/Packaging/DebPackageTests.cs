using System.Runtime.Versioning;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Packaging;

/// <summary>
/// The .deb on this machine as an admin uses it: dpkg -i creates the user, files and unit;
/// lintian has nothing to say; the binary run as that user with only the unit's capabilities,
/// no_new_privs and the kernel's memory-deny-write-execute has data from every collector
/// (other users' processes, /var/log, cgroups and the Docker socket once opted in) and
/// pushes; dpkg --purge leaves nothing behind.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class DebPackageTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-deb-").FullName;

    public DebPackageTests()
    {
        // The agent user must reach the test's own config files.
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The unit's user, groups and capability set (packaging/agent.service), through setpriv.</summary>
    private static string[] AsServiceUser(string caps, params string[] command) =>
    [
        "--reuid=agent", "--regid=agent", "--init-groups",
        $"--inh-caps=-all{caps}", $"--ambient-caps=-all{caps}", $"--bounding-set=-all{caps}",
        "--no-new-privs", .. command,
    ];

    private const string UnitCaps = ",+dac_read_search,+sys_ptrace";

    [Fact]
    public async Task Installs_runs_confined_as_its_user_and_purges_without_a_trace()
    {
        var deb = await DebPackage.BuildAsync();
        var setpriv = ServerBinary.Require("setpriv");
        if ((await Command.RunAsync("dpkg-query", ["-W", "agent"], Timeout)).Code == 0)
        {
            await Command.RunCheckedAsync("dpkg", ["--purge", "agent"], Timeout);
        }

        var lintian = ServerBinary.Require("lintian");
        var (_, lint, lintErr) = await Command.RunAsync(lintian, [deb], Timeout);
        var complaints = (lint + lintErr).Split('\n').Where(l => l.StartsWith("E:", StringComparison.Ordinal) || l.StartsWith("W:", StringComparison.Ordinal)).ToList();
        Assert.True(complaints.Count == 0, "lintian:\n" + string.Join("\n", complaints));

        await Command.RunCheckedAsync("dpkg", ["-i", deb], Timeout);
        try
        {
            await AssertInstalledLayoutAsync();
            await AssertCheckPassesAsUserAsync(setpriv);
            await AssertCapabilitiesShowOtherUsersProcessesAsync(setpriv);
            await AssertDockerOptInAsync(setpriv);
            await AssertRunsUnderMemoryDenyWriteExecuteAsync(setpriv);
        }
        finally
        {
            await Command.RunAsync("deluser", ["agent", "docker"], Timeout);
            await Command.RunCheckedAsync("dpkg", ["--purge", "agent"], Timeout);
        }

        Assert.NotEqual(0, (await Command.RunAsync("getent", ["passwd", "agent"], Timeout)).Code);
        Assert.NotEqual(0, (await Command.RunAsync("getent", ["group", "agent"], Timeout)).Code);
        foreach (var path in new[] { "/usr/bin/agent", "/etc/agent", "/var/lib/agent", "/lib/systemd/system/agent.service",
                     "/etc/systemd/system/multi-user.target.wants/agent.service", "/usr/share/doc/agent" })
        {
            Assert.False(Path.Exists(path), $"{path} is left after dpkg --purge");
        }
        Assert.NotEqual(0, (await Command.RunAsync("dpkg-query", ["-W", "agent"], Timeout)).Code);
    }

    private static async Task AssertInstalledLayoutAsync()
    {
        var groups = (await Command.RunCheckedAsync("id", ["-nG", "agent"], Timeout)).Split(' ', StringSplitOptions.TrimEntries);
        Assert.Contains("adm", groups);
        if ((await Command.RunAsync("getent", ["group", "systemd-journal"], Timeout)).Code == 0) Assert.Contains("systemd-journal", groups);
        Assert.DoesNotContain("docker", groups);
        Assert.Equal("/usr/sbin/nologin", (await Command.RunCheckedAsync("getent", ["passwd", "agent"], Timeout)).Trim().Split(':')[6]);

        Assert.Equal("755 root root", await StatAsync("/usr/bin/agent"));
        Assert.Equal("644 root root", await StatAsync("/etc/agent/agent.toml"));
        Assert.Equal("640 root agent", await StatAsync("/etc/agent/agent.env"));
        Assert.Equal("750 agent agent", await StatAsync("/var/lib/agent"));
        Assert.Equal(File.ReadAllText(Repository.Path("packaging", "agent.service")), File.ReadAllText("/lib/systemd/system/agent.service"));
        var conffiles = await Command.RunCheckedAsync("dpkg-query", ["-W", "-f=${Conffiles}", "agent"], Timeout);
        Assert.Contains("/etc/agent/agent.toml", conffiles);
        Assert.Contains("/etc/agent/agent.env", conffiles);
        // postinst enabled the unit (deb-systemd-helper); systemd starts it at the next boot or now where it runs.
        Assert.True(Path.Exists("/etc/systemd/system/multi-user.target.wants/agent.service"));
    }

    private static async Task<string> StatAsync(string path) =>
        (await Command.RunCheckedAsync("stat", ["-c", "%a %U %G", path], Timeout)).Trim();

    /// <summary>`agent check` on the packaged config, as the service user with the unit's capabilities.</summary>
    private static async Task AssertCheckPassesAsUserAsync(string setpriv)
    {
        await using var prometheus = await MetricsBackend.StartPrometheusAsync();
        await using var loki = new LokiReceiver();
        var (code, stdout, stderr) = await Command.RunAsync(setpriv,
            AsServiceUser(UnitCaps, "/usr/bin/agent", "check", "--config", "/etc/agent/agent.toml"), Timeout,
            new Dictionary<string, string> { ["REMOTE_WRITE_URL"] = prometheus.WriteUrl, ["LOKI_URL"] = loki.PushUrl });
        var lines = (stdout + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.DoesNotContain(lines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
        foreach (var check in new[] { "data_dir", "node ", "process ", "remote_write[0]", "loki[0]" })
        {
            Assert.Contains(lines, l => l.StartsWith("PASS", StringComparison.Ordinal) && l[4..].TrimStart().StartsWith(check, StringComparison.Ordinal));
        }
        // /var/log/*.log through group adm.
        Assert.Contains(lines, l => l.StartsWith("PASS", StringComparison.Ordinal) && l.Contains("/var/log/*.log", StringComparison.Ordinal) && l.Contains("readable", StringComparison.Ordinal));
    }

    /// <summary>
    /// Root's processes: open fds and io need the unit's CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE;
    /// without them they read 0 (the documented way to turn them off).
    /// </summary>
    private static async Task AssertCapabilitiesShowOtherUsersProcessesAsync(string setpriv)
    {
        using var children = new ChildProcesses();
        children.StartSleepers(3);
        var with = await OpenFdsOfAsync(setpriv, UnitCaps, children.SleeperComm);
        var without = await OpenFdsOfAsync(setpriv, "", children.SleeperComm);
        TestReport.Write($"deb: open fds of root's sleepers read by the agent user: {with} with the unit's capabilities, {without} without");
        Assert.True(with >= 3 * 3, $"{with} open fds with CAP_DAC_READ_SEARCH");
        Assert.Equal(0, without);
    }

    private static async Task<double> OpenFdsOfAsync(string setpriv, string caps, string group)
    {
        var (code, stdout, stderr) = await Command.RunAsync(setpriv,
            AsServiceUser(caps, "/usr/bin/agent", "check", "--config", "/etc/agent/agent.toml", "--metrics"), Timeout,
            new Dictionary<string, string> { ["REMOTE_WRITE_URL"] = "http://127.0.0.1:1/api/v1/write", ["LOKI_URL"] = "http://127.0.0.1:1/loki/api/v1/push" });
        var families = ExpositionText.Parse(stdout);
        Assert.True(families.ContainsKey("namedprocess_namegroup_open_filedesc"), $"exit {code}\n{stderr}");
        return families["namedprocess_namegroup_open_filedesc"].Samples.Single(s => s.Labels["groupname"] == group).Value;
    }

    /// <summary>The documented opt-in: adduser agent docker, containers on; cgroups and the socket then have data.</summary>
    private async Task AssertDockerOptInAsync(string setpriv)
    {
        await DockerEngine.RequireAsync();
        await Command.RunCheckedAsync("adduser", ["agent", "docker"], Timeout);
        var config = Path.Combine(_dir, "agent.toml");
        var text = File.ReadAllText("/etc/agent/agent.toml").Replace(
            "\nenabled = false\n\n[logs.docker]\nenabled = false\n", "\nenabled = true\n\n[logs.docker]\nenabled = true\n", StringComparison.Ordinal);
        Assert.Contains("[logs.docker]\nenabled = true", text);
        File.WriteAllText(config, text);
        File.SetUnixFileMode(config, (UnixFileMode)0b110_100_100);
        var name = DockerEngine.UniqueName("deb-optin");
        await DockerEngine.RunCheckedAsync(["run", "-d", "--name", name, "--init", DockerEngine.Image, "sleep", "600"]);
        try
        {
            var (code, stdout, stderr) = await Command.RunAsync(setpriv,
                AsServiceUser(UnitCaps, "/usr/bin/agent", "check", "--config", config, "--metrics"), Timeout,
                new Dictionary<string, string> { ["REMOTE_WRITE_URL"] = "http://127.0.0.1:1/api/v1/write", ["LOKI_URL"] = "http://127.0.0.1:1/loki/api/v1/push" });
            Assert.Contains(stderr.Split('\n'), l => l.StartsWith("PASS", StringComparison.Ordinal) && l[4..].TrimStart().StartsWith("docker", StringComparison.Ordinal));
            var families = ExpositionText.Parse(stdout);
            var memory = families["container_memory_usage_bytes"].Samples.Single(s => s.Labels.GetValueOrDefault("name") == name);
            Assert.True(memory.Value > 0, $"exit {code}: container memory {memory.Value}");
        }
        finally
        {
            await DockerEngine.RunAsync(["rm", "-f", name], TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>
    /// MemoryDenyWriteExecute=yes is systemd's seccomp filter; the kernel's PR_SET_MDWE is the same
    /// rule (no mapping both writable and executable, none made executable later), inherited
    /// across exec. The agent runs under it, as the service user, and pushes.
    /// </summary>
    private async Task AssertRunsUnderMemoryDenyWriteExecuteAsync(string setpriv)
    {
        var perl = ServerBinary.Require("perl");
        // x86_64: prctl is syscall 157, mmap 9; PR_SET_MDWE 65 with PR_MDWE_REFUSE_EXEC_GAIN 1.
        const string mdwe = "syscall(157, 65, 1, 0, 0, 0) == 0 or die \"prctl: $!\\n\"; exec @ARGV or die \"exec: $!\\n\"";
        // The rule holds: a writable and executable mapping is refused under it, allowed without.
        const string mapWx = "my $r = syscall(9, 0, 4096, 7, 0x22, -1, 0); print $r == -1 ? \"refused\" : \"mapped\"";
        Assert.Equal("mapped", (await Command.RunCheckedAsync(perl, ["-e", mapWx], Timeout)).Trim());
        Assert.Equal("refused", (await Command.RunCheckedAsync(perl, ["-e", mdwe, perl, "-e", mapWx], Timeout)).Trim());

        await using var prometheus = await MetricsBackend.StartPrometheusAsync();
        await using var loki = new LokiReceiver();
        var host = "deb-" + Guid.NewGuid().ToString("N")[..8];
        var psi = new System.Diagnostics.ProcessStartInfo(perl) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-e", mdwe, setpriv }.Concat(AsServiceUser(UnitCaps, "/usr/bin/agent", "run", "--config", "/etc/agent/agent.toml")))
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["REMOTE_WRITE_URL"] = prometheus.WriteUrl;
        psi.Environment["LOKI_URL"] = loki.PushUrl;
        psi.Environment["AGENT_HOSTNAME"] = host;
        psi.Environment["AGENT_HTTP_LISTEN"] = $"127.0.0.1:{FreePort.Next()}";
        using var agent = System.Diagnostics.Process.Start(psi)!;
        var stdout = agent.StandardOutput.ReadToEndAsync();
        var stderr = agent.StandardError.ReadToEndAsync();
        try
        {
            await prometheus.WaitForAsync($"node_cpu_seconds_total{{host=\"{host}\",mode=\"idle\"}}", TimeSpan.FromSeconds(60));
            await prometheus.WaitForAsync($"namedprocess_namegroup_num_procs{{host=\"{host}\"}}", TimeSpan.FromSeconds(30));
            Assert.False(agent.HasExited);
        }
        finally
        {
            await Command.RunAsync("kill", ["-TERM", agent.Id.ToString()], Timeout);
            await agent.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        Assert.True(agent.ExitCode == 0, $"exit {agent.ExitCode}\n{await stdout}\n{await stderr}");
    }
}
