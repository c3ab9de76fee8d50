using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Exporters.Http;

/// <summary>
/// Pushes through a forward proxy: proxy_url with credentials (which never show in output), the
/// standard http_proxy / HTTPS_PROXY environment, and NO_PROXY to go around it.
/// </summary>
public sealed class ProxyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-proxy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Pushes_through_proxy_url_and_through_the_proxy_environment_unless_no_proxy_says_otherwise()
    {
        await using var prometheus = await MetricsBackend.StartPrometheusAsync();
        var write = new Uri(prometheus.WriteUrl);

        await using (var authenticating = new TunnelProxy("node", "proxy-secret"))
        {
            var config = QuietAgentConfig.Write(Path.Combine(_dir, "url"), "proxied", $"""
                [[remote_write]]
                url = "{prometheus.WriteUrl}"
                proxy_url = "http://node:proxy-secret@127.0.0.1:{authenticating.Port}"
                """);
            var (code, stdout, stderr) = await AgentProcess.RunAsync(["check", "--config", config]);
            Assert.True(code == 0, stdout + stderr);
            Assert.Contains($"POST {prometheus.WriteUrl} HTTP/1.1", authenticating.Relayed);
            Assert.True(authenticating.Challenged >= 1, "the proxy never asked for credentials");
            Assert.DoesNotContain("proxy-secret", stdout + stderr);
        }

        await using var proxy = new TunnelProxy();
        var plain = QuietAgentConfig.Write(Path.Combine(_dir, "env"), "proxied", $"""
            [[remote_write]]
            url = "{prometheus.WriteUrl}"
            """);
        var (envCode, envOut, envErr) = await AgentProcess.RunAsync(["check", "--config", plain],
            new Dictionary<string, string> { ["http_proxy"] = proxy.Url, ["no_proxy"] = "" });
        Assert.True(envCode == 0, envOut + envErr);
        Assert.Single(proxy.Relayed, l => l.StartsWith($"POST http://{write.Authority}/", StringComparison.Ordinal));

        var (bypassCode, bypassOut, bypassErr) = await AgentProcess.RunAsync(["check", "--config", plain],
            new Dictionary<string, string> { ["http_proxy"] = proxy.Url, ["no_proxy"] = "127.0.0.1" });
        Assert.True(bypassCode == 0, bypassOut + bypassErr);
        Assert.Single(proxy.Relayed);
    }
}
