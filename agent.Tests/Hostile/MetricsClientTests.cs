using System.Net.Sockets;
using System.Text;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Hostile;

/// <summary>
/// /metrics clients that misbehave, against the real agent: 200 that never read an 11 MB body,
/// and more connections than the agent has file descriptors. Memory stays bounded, the accept
/// loop does not spin, and a normal scrape still answers.
/// </summary>
public sealed class MetricsClientTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-clients-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(int port, string textfileDir = "", string extra = "") => WriteConfig($"""
        [agent]
        data_dir = "{_dir}/data"
        interval = "1h"
        shutdown_timeout = "2s"
        [http]
        listen = "127.0.0.1:{port}"
        [host]
        enabled = {(textfileDir.Length > 0 ? "true" : "false")}
        enable = ["textfile"]
        disable = ["cpu", "cpufreq", "diskstats", "filesystem", "netdev", "netclass", "netstat", "stat", "meminfo", "vmstat", "hwmon", "thermal_zone", "conntrack", "entropy", "filefd", "loadavg", "os", "pressure", "sockstat", "time", "uname"]
        textfile_dir = "{textfileDir}"
        [process]
        enabled = false
        [containers]
        enabled = false
        [logs.docker]
        enabled = false
        {extra}
        """);

    private string WriteConfig(string text)
    {
        var path = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The first successful scrape whose body holds <paramref name="expected"/>.</summary>
    private static async Task<byte[]> ScrapeAsync(int port, TimeSpan timeout, string expected = "agent_")
    {
        using var http = new HttpClient { Timeout = timeout };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{port}/metrics", HttpCompletionOption.ResponseContentRead);
                var body = await response.Content.ReadAsByteArrayAsync();
                if (response.IsSuccessStatusCode && body.AsSpan().IndexOf(Encoding.ASCII.GetBytes(expected)) >= 0) return body;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
            {
            }
            Assert.True(DateTime.UtcNow < deadline, "no successful scrape in time");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Two_hundred_clients_that_never_read_an_11_MB_body_leave_memory_bounded_and_a_scrape_answers()
    {
        var textfiles = Directory.CreateDirectory(Path.Combine(_dir, "textfile")).FullName;
        var body = new StringBuilder("# TYPE hostile_series gauge\n");
        var pad = new string('p', 80);
        for (var i = 0; i < 100_000; i++) body.Append($"hostile_series{{i=\"{i:D6}\",pad=\"{pad}\"}} 1\n");
        File.WriteAllText(Path.Combine(textfiles, "big.prom"), body.ToString());
        var port = FreePort.Next();
        await using var agent = AgentProcess.Start(["run", "--config", Config(port, textfiles)]);

        var size = (await ScrapeAsync(port, TimeSpan.FromSeconds(60), "i=\"099999\"")).Length;
        Assert.True(size > 11_000_000, $"body of {size} bytes");
        var baseline = agent.ResidentBytes();

        var clients = new List<Socket>();
        var peak = await HostileChecks.PeakRssAsync(agent, async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                await socket.ConnectAsync("127.0.0.1", port);
                await socket.SendAsync("GET /metrics HTTP/1.1\r\nHost: agent\r\n\r\n"u8.ToArray());
                clients.Add(socket);
            }
            await Task.Delay(2000);
            var normal = await ScrapeAsync(port, TimeSpan.FromSeconds(20), "i=\"099999\"");
            Assert.InRange(normal.Length, size - 10_000, size + 10_000);
        });
        TestReport.Write($"hostile /metrics: 200 non-reading clients of a {size / 1e6:F1} MB body: agent RSS {baseline / 1e6:F0} MB before, peak {peak / 1e6:F0} MB");
        // Without a shared body and a write deadline this grew by the body size per client (GBs).
        Assert.True(peak < baseline + 300_000_000, $"RSS grew from {baseline / 1e6:F0} MB to {peak / 1e6:F0} MB");

        await HostileChecks.StopsAsync(agent, TimeSpan.FromSeconds(2));
        foreach (var socket in clients) socket.Dispose();
    }

    [Fact]
    public async Task Out_of_file_descriptors_the_accept_loop_backs_off_and_recovers()
    {
        var port = FreePort.Next();
        // The JIT build these tests run opens assembly files and maps new code through a memfd
        // (W^X) as it goes, and dies with "Out of memory." when that fails; the published native
        // binary does neither. So W^X is off, and a push to a closed port has the warning path
        // (ErrorText, a warn line) compiled before descriptors run out.
        var closed = FreePort.Next();
        await using var agent = AgentProcess.Start(
            ["run", "--config", Config(port, extra: $"[[remote_write]]\nurl = \"http://127.0.0.1:{closed}/api/v1/write\"\nmin_backoff = \"5s\"")],
            new Dictionary<string, string> { ["DOTNET_EnableWriteXorExecute"] = "0" });
        await ScrapeAsync(port, TimeSpan.FromSeconds(30));
        var warmed = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!agent.Output.Contains("retrying", StringComparison.Ordinal) && DateTime.UtcNow < warmed) await Task.Delay(100);
        await Task.Delay(1000);
        await agent.LimitOpenFilesAsync(agent.OpenDescriptors() + 16);

        var clients = new List<Socket>();
        for (var i = 0; i < 100; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync("127.0.0.1", port);
            clients.Add(socket);
        }
        await Task.Delay(500);
        Assert.False(agent.HasExited, $"the agent died out of file descriptors:\n{agent.Output}");
        var cpuBefore = CpuSeconds(agent.Id);
        await Task.Delay(3000);
        var cpu = CpuSeconds(agent.Id) - cpuBefore;
        var failures = agent.Output.Split('\n').Count(l => l.Contains("accept failed", StringComparison.Ordinal));
        TestReport.Write($"hostile /metrics: out of fds with 100 connections: {cpu:F2} s CPU in 3 s, {failures} accept-failure lines");
        Assert.True(failures is >= 1 and <= 3, $"{failures} accept failure lines:\n{agent.Output}");
        Assert.True(cpu < 1.0, $"{cpu:F2} s CPU in 3 s while out of file descriptors");

        foreach (var socket in clients) socket.Dispose();
        await ScrapeAsync(port, TimeSpan.FromSeconds(30));
        await HostileChecks.StopsAsync(agent, TimeSpan.FromSeconds(2));
    }

    /// <summary>utime + stime of a process from /proc/PID/stat, in seconds.</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
    }
}
