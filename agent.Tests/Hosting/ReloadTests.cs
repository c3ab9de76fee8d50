using System.Net.Sockets;
using System.Text;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Hosting;

/// <summary>
/// SIGHUP with the real binary: a config that loads replaces the running pipeline in the same
/// process, resuming from saved positions (nothing lost, nothing sent twice); one that does not
/// load is reported problem by problem and changes nothing.
/// </summary>
public sealed class ReloadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-reload-").FullName;
    private readonly int _port = FreePort.Next();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string ConfigPath => Path.Combine(_dir, "agent.toml");

    private void WriteConfig(string logs, params string[] lokiUrls) =>
        File.WriteAllText(ConfigPath, $"""
            [agent]
            data_dir = "{_dir}/data"
            shutdown_timeout = "3s"
            [http]
            listen = "127.0.0.1:{_port}"
            [host]
            enabled = false
            [process]
            enabled = false
            [containers]
            enabled = false
            [logs.docker]
            enabled = false
            [logs]
            read_from = "beginning"
            {logs}
            {string.Concat(lokiUrls.Select(url => $"[[loki]]\nurl = \"{url}\"\nbatch_wait = \"100ms\"\n"))}
            """);

    private string Files(string glob, string team) => $"[[logs.files]]\npaths = [\"{Path.Combine(_dir, glob)}\"]\nlabels = {{ team = \"{team}\" }}\n";

    private async Task<double> MetricAsync(string name)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://127.0.0.1:{_port}/metrics");
        // Served with the agent's job and instance labels: name{...} value.
        var line = text.Split('\n').Single(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what, AgentProcess agent)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what}:\n{agent.Output}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_changed_config_applies_in_the_same_process_and_nothing_is_lost_or_sent_twice()
    {
        await using var kept = new LokiReceiver();
        await using var removed = new LokiReceiver();
        var app = Path.Combine(_dir, "app.log");
        var added = Path.Combine(_dir, "added.log");
        File.WriteAllText(app, "");
        File.WriteAllText(added, "already there\n");
        WriteConfig(Files("app.log", "a"), kept.PushUrl, removed.PushUrl);
        await using var agent = AgentProcess.Start(["run", "--config", ConfigPath]);
        for (var i = 0; i < 50; i++) File.AppendAllText(app, $"before {i}\n");
        await kept.WaitForLinesAsync(50, TimeSpan.FromSeconds(30));
        await removed.WaitForLinesAsync(50, TimeSpan.FromSeconds(30));
        var before = await MetricAsync("agent_config_last_reload_success_timestamp_seconds");

        // New labels for app.log, a second file, and one endpoint fewer.
        WriteConfig(Files("app.log", "b") + Files("added.log", "b"), kept.PushUrl);
        await agent.SignalAsync("HUP");
        await WaitForAsync(() => agent.Output.Contains("configuration reloaded", StringComparison.Ordinal), "no reload logged", agent);
        for (var i = 0; i < 50; i++) File.AppendAllText(app, $"after {i}\n");

        var lines = await kept.WaitForLinesAsync(101, TimeSpan.FromSeconds(30));
        Assert.False(agent.HasExited);
        Assert.Equal(0, kept.Duplicates);
        Assert.Equal(101, lines.Count);
        Assert.All(kept.Accepted.Where(e => e.Line.StartsWith("after", StringComparison.Ordinal)), e => Assert.Contains("team=\"b\"", e.Stream, StringComparison.Ordinal));
        Assert.All(kept.Accepted.Where(e => e.Line.StartsWith("before", StringComparison.Ordinal)), e => Assert.Contains("team=\"a\"", e.Stream, StringComparison.Ordinal));
        Assert.Contains("already there", lines);
        await Task.Delay(500);
        Assert.Equal(50, removed.Accepted.Count);
        Assert.Equal(1, await MetricAsync("agent_config_last_reload_successful"));
        Assert.True(await MetricAsync("agent_config_last_reload_success_timestamp_seconds") > before);
        await HostileChecks.StopsAsync(agent, TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task A_config_that_does_not_load_is_reported_and_the_running_one_goes_on()
    {
        await using var receiver = new LokiReceiver();
        var app = Path.Combine(_dir, "app.log");
        File.WriteAllText(app, "");
        WriteConfig(Files("app.log", "a"), receiver.PushUrl);
        await using var agent = AgentProcess.Start(["run", "--config", ConfigPath]);
        File.AppendAllText(app, "one\n");
        await receiver.WaitForLinesAsync(1, TimeSpan.FromSeconds(30));

        var good = File.ReadAllText(ConfigPath);
        File.WriteAllText(ConfigPath, good.Replace("shutdown_timeout = \"3s\"", "shutdown_timeout = \"soon\"", StringComparison.Ordinal));
        await agent.SignalAsync("HUP");
        await WaitForAsync(() => agent.Output.Contains("reload failed", StringComparison.Ordinal), "no failed reload logged", agent);
        Assert.Contains($"{ConfigPath}:3:", agent.Output);
        Assert.Contains("agent.shutdown_timeout", agent.Output);
        Assert.Equal(0, await MetricAsync("agent_config_last_reload_successful"));
        File.AppendAllText(app, "two\n");
        Assert.Equal(["one", "two"], await receiver.WaitForLinesAsync(2, TimeSpan.FromSeconds(30)));

        File.WriteAllText(ConfigPath, good);
        await agent.SignalAsync("HUP");
        await WaitForAsync(() => agent.Output.Contains("configuration reloaded", StringComparison.Ordinal), "no reload logged", agent);
        Assert.Equal(1, await MetricAsync("agent_config_last_reload_successful"));
        File.AppendAllText(app, "three\n");
        Assert.Equal(["one", "two", "three"], await receiver.WaitForLinesAsync(3, TimeSpan.FromSeconds(30)));
        Assert.Equal(0, receiver.Duplicates);
        await HostileChecks.StopsAsync(agent, TimeSpan.FromSeconds(3));
    }

    /// <summary>What systemd hears through NOTIFY_SOCKET: a reload is never taken for a stop.</summary>
    [Fact]
    public async Task Systemd_hears_ready_reloading_ready_and_stopping_only_at_the_end()
    {
        var socketPath = Path.Combine(_dir, "notify");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var heard = new List<string>();
        var listening = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            while (true)
            {
                int read;
                try { read = await socket.ReceiveAsync(buffer, SocketFlags.None); }
                catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
                lock (heard) heard.Add(Encoding.UTF8.GetString(buffer, 0, read).Trim());
            }
        });
        WriteConfig("");
        await using var agent = AgentProcess.Start(["run", "--config", ConfigPath], new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath });
        string[] Heard() { lock (heard) return [.. heard]; }
        await WaitForAsync(() => Heard().Contains("READY=1"), "no READY=1", agent);
        await agent.SignalAsync("HUP");
        await WaitForAsync(() => Heard().Length >= 3, "no RELOADING=1 and READY=1 after SIGHUP", agent);
        await HostileChecks.StopsAsync(agent, TimeSpan.FromSeconds(3));
        await WaitForAsync(() => Heard().Length >= 4, "no STOPPING=1 at SIGTERM", agent);
        Assert.Equal(["READY=1", "RELOADING=1", "READY=1", "STOPPING=1"], Heard());
        socket.Close();
        await listening;
    }
}
