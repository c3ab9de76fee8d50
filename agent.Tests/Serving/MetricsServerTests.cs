using System.Buffers;
using System.Net;
using Agent.Serving;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Agent.Tests.Serving;

public sealed class MetricsServerTests
{
    [Theory]
    [InlineData("127.0.0.1:9101", "127.0.0.1", 9101)]
    [InlineData(":9101", "0.0.0.0", 9101)]
    [InlineData("0.0.0.0:80", "0.0.0.0", 80)]
    [InlineData("[::1]:9101", "::1", 9101)]
    [InlineData("localhost:1", "127.0.0.1", 1)]
    public void Parses_listen_addresses(string listen, string address, int port)
    {
        Assert.True(MetricsServer.TryParseListen(listen, out var endpoint));
        Assert.Equal(IPAddress.Parse(address), endpoint.Address);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("9101")]
    [InlineData("host:port")]
    [InlineData("example.com:9101")]
    [InlineData("127.0.0.1:70000")]
    public void Rejects_bad_listen_addresses(string listen) => Assert.False(MetricsServer.TryParseListen(listen, out _));

    [Fact]
    public async Task Serves_metrics_healthz_and_404()
    {
        var healthy = false;
        await using var server = new MetricsServer(new IPEndPoint(IPAddress.Loopback, 0), body =>
        {
            body.Write("up 1\n"u8);
            return "text/plain; version=0.0.4; charset=utf-8";
        }, () => healthy, NullLogger.Instance);
        server.Start();
        using var http = new HttpClient { BaseAddress = new Uri($"http://{server.LocalEndpoint}") };

        using var metrics = await http.GetAsync("/metrics?x=1");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", metrics.Content.Headers.ContentType!.ToString());
        Assert.Equal("up 1\n", await metrics.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/healthz")).StatusCode);
        healthy = true;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.PostAsync("/metrics", new StringContent(""))).StatusCode);
    }
}
