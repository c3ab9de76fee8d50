using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Agent.Serving;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Agent.Tests.Serving;

/// <summary>Clients that misbehave cost the server a bounded amount and do not lock out a normal scrape.</summary>
public sealed class MetricsServerLimitsTests
{
    private static readonly byte[] Big = Encoding.ASCII.GetBytes(new string('x', 8 * 1024 * 1024));

    private static MetricsServer Start(ServerLimits limits, Action? onRender = null)
    {
        var server = new MetricsServer(new IPEndPoint(IPAddress.Loopback, 0), body =>
        {
            onRender?.Invoke();
            body.Write(Big);
            return "text/plain";
        }, () => true, NullLogger.Instance, limits);
        server.Start();
        return server;
    }

    private static async Task<Socket> ConnectAsync(MetricsServer server, bool sendRequest)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(server.LocalEndpoint);
        if (sendRequest) await socket.SendAsync("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        return socket;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Clients_that_never_read_are_dropped_at_the_write_deadline_and_share_one_body()
    {
        var renders = 0;
        await using var server = Start(new ServerLimits(64, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)), () => Interlocked.Increment(ref renders));
        var stuck = new List<Socket>();
        for (var i = 0; i < 20; i++) stuck.Add(await ConnectAsync(server, sendRequest: true));
        await WaitUntilAsync(() => server.OpenConnections == 20, TimeSpan.FromSeconds(5));
        Assert.InRange(renders, 1, 3);

        using var http = new HttpClient { BaseAddress = new Uri($"http://{server.LocalEndpoint}") };
        Assert.Equal(Big.Length, (await http.GetByteArrayAsync("/metrics")).Length);

        await WaitUntilAsync(() => server.OpenConnections == 0, TimeSpan.FromSeconds(10));
        foreach (var socket in stuck) socket.Dispose();
    }

    [Fact]
    public async Task Connections_over_the_cap_get_503_at_once()
    {
        await using var server = Start(new ServerLimits(4, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)));
        var idle = new List<Socket>();
        for (var i = 0; i < 4; i++) idle.Add(await ConnectAsync(server, sendRequest: false));
        await WaitUntilAsync(() => server.OpenConnections == 4, TimeSpan.FromSeconds(5));

        using var over = await ConnectAsync(server, sendRequest: false);
        var answer = new byte[256];
        var read = await over.ReceiveAsync(answer);
        Assert.StartsWith("HTTP/1.1 503", Encoding.ASCII.GetString(answer, 0, read));

        foreach (var socket in idle) socket.Dispose();
        await WaitUntilAsync(() => server.OpenConnections == 0, TimeSpan.FromSeconds(10));
        using var http = new HttpClient { BaseAddress = new Uri($"http://{server.LocalEndpoint}") };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task A_silent_client_is_dropped_at_the_read_deadline()
    {
        await using var server = Start(new ServerLimits(4, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5)));
        using var silent = await ConnectAsync(server, sendRequest: false);
        await WaitUntilAsync(() => server.OpenConnections == 1, TimeSpan.FromSeconds(5));
        await WaitUntilAsync(() => server.OpenConnections == 0, TimeSpan.FromSeconds(5));
        Assert.Equal(0, await silent.ReceiveAsync(new byte[16]));
    }
}
