using System.Net;
using System.Net.Sockets;
using System.Text;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Hostile;

/// <summary>
/// Push endpoints that misbehave or carry credentials in their URL, against the real agent:
/// a 400 with a 100 MB body costs at most a few KiB, and user:password in a URL becomes basic
/// auth on the wire and appears in no output.
/// </summary>
public sealed class HostileServerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-hostile-server-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Answers every request with 400 and a 100 MB body, streamed for as long as the client reads.</summary>
    private sealed class HugeErrorServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _requests;

        public HugeErrorServer()
        {
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Requests => Volatile.Read(ref _requests);

        private async Task LoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket;
                try { socket = await _listener.AcceptSocketAsync(_stop.Token); }
                catch (Exception) { return; }
                _ = Task.Run(() => AnswerAsync(socket));
            }
        }

        private async Task AnswerAsync(Socket socket)
        {
            using var _ = socket;
            try
            {
                var buffer = new byte[64 * 1024];
                await socket.ReceiveAsync(buffer, _stop.Token);
                Interlocked.Increment(ref _requests);
                const long size = 100L * 1024 * 1024;
                await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: {size}\r\n\r\n"), _stop.Token);
                Array.Fill(buffer, (byte)'e');
                for (long sent = 0; sent < size; sent += buffer.Length) await socket.SendAsync(buffer, _stop.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            await _loop;
        }
    }

    private string Config(string lokiUrl, string remoteWriteUrl, string log) => Write($"""
        [agent]
        data_dir = "{_dir}/data"
        interval = "1s"
        shutdown_timeout = "2s"
        [http]
        listen = ""
        [host]
        enable = []
        disable = ["cpufreq", "diskstats", "filesystem", "netclass", "hwmon", "thermal_zone", "conntrack"]
        [process]
        enabled = false
        [containers]
        enabled = false
        [logs.docker]
        enabled = false
        [logs]
        read_from = "beginning"
        [[logs.files]]
        paths = ["{log}"]
        [[loki]]
        url = "{lokiUrl}"
        batch_wait = "100ms"
        {(remoteWriteUrl.Length > 0 ? $"[[remote_write]]\nurl = \"{remoteWriteUrl}\"" : "")}
        """);

    private string Write(string text)
    {
        var path = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task A_400_with_a_100_MB_body_costs_a_few_KiB()
    {
        await using var server = new HugeErrorServer();
        var log = Path.Combine(_dir, "app.log");
        File.WriteAllLines(log, Enumerable.Range(0, 100).Select(i => $"line {i}"));
        var url = $"http://127.0.0.1:{server.Port}";
        await using var agent = AgentProcess.Start(["run", "--config", Config($"{url}/loki/api/v1/push", $"{url}/api/v1/write", log)]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (server.Requests == 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        var baseline = agent.ResidentBytes();
        var peak = await HostileChecks.PeakRssAsync(agent, async () =>
        {
            var target = server.Requests + 6;
            while (server.Requests < target && DateTime.UtcNow < deadline + TimeSpan.FromSeconds(30)) await Task.Delay(100);
            File.AppendAllLines(log, Enumerable.Range(100, 100).Select(i => $"line {i}"));
            await Task.Delay(2000);
        });
        TestReport.Write($"hostile HTTP client: {server.Requests} answers of 400 + 100 MB body: agent RSS {baseline / 1e6:F0} MB before, peak {peak / 1e6:F0} MB");
        Assert.True(server.Requests >= 6, $"{server.Requests} requests:\n{agent.Output}");
        Assert.True(peak < baseline + 64_000_000, $"RSS grew from {baseline / 1e6:F0} MB to {peak / 1e6:F0} MB");
        Assert.Contains("HTTP 400", agent.Output);
        Assert.DoesNotContain(new string('e', 5000), agent.Output);
        await HostileChecks.StopsAsync(agent, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Url_credentials_are_sent_as_basic_auth_and_printed_nowhere()
    {
        await using var receiver = new LokiReceiver();
        var log = Path.Combine(_dir, "app.log");
        File.WriteAllText(log, "hello\n");
        var url = receiver.PushUrl.Replace("http://", "http://agent%40corp:s3cret-pw@", StringComparison.Ordinal);
        var config = Config(url, "", log);

        var check = await AgentProcess.RunAsync(["check", "--config", config]);
        Assert.Contains($"PASS  loki[0]", check.Stdout);
        Assert.Contains(receiver.PushUrl, check.Stdout);

        await using var agent = AgentProcess.Start(["run", "--config", config]);
        await receiver.WaitForLinesAsync(1, TimeSpan.FromSeconds(30));
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("agent@corp:s3cret-pw"));
        lock (receiver.Authorizations) Assert.All(receiver.Authorizations, a => Assert.Equal(expected, a));
        await HostileChecks.StopsAsync(agent, TimeSpan.FromSeconds(2));

        Assert.DoesNotContain("s3cret", check.Stdout + check.Stderr + agent.Output);
        HostileChecks.Sentences(check.Stdout + check.Stderr);
    }

    [Fact]
    public async Task Loki_stream_limit_does_not_stall_the_files_it_accepts()
    {
        await using var receiver = new LokiReceiver { AcceptOutOfOrder = true };
        receiver.LimitStreams(2);
        var logs = Directory.CreateDirectory(Path.Combine(_dir, "logs")).FullName;
        File.WriteAllText(Path.Combine(logs, "a.log"), "a first\n");
        File.WriteAllText(Path.Combine(logs, "b.log"), "b first\n");
        await using var agent = AgentProcess.Start(["run", "--config", Config(receiver.PushUrl, "", $"{logs}/*.log")]);
        await receiver.WaitForLinesAsync(2, TimeSpan.FromSeconds(30));

        // Twenty more files want streams Loki refuses; a and b keep shipping.
        for (var i = 0; i < 20; i++) File.WriteAllText(Path.Combine(logs, $"new-{i:D2}.log"), $"new {i}\n");
        await Task.Delay(1500);
        File.AppendAllText(Path.Combine(logs, "a.log"), "a second\n");
        File.AppendAllText(Path.Combine(logs, "b.log"), "b second\n");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline && receiver.Accepted.Select(a => a.Line).Distinct().Count(l => l.EndsWith("second", StringComparison.Ordinal)) < 2)
        {
            await Task.Delay(100);
        }
        var lines = receiver.Accepted.Select(a => a.Line).Distinct().Order().ToList();
        Assert.Equal(["a first", "a second", "b first", "b second"], lines);
        Assert.Contains("stream limit refuses new streams", agent.Output);
        await HostileChecks.StopsAsync(agent, TimeSpan.FromSeconds(2));
    }
}
