using Agent.Serving.Web;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Exporters.Http;

/// <summary>
/// The agent pushing to stock Prometheus behind exporter-toolkit TLS and basic auth, as a
/// monitor across an untrusted network is set up: a CA of the test's own, client certificates,
/// a wrong CA, and certificates rotated while the agent runs.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class PrometheusTlsTests : IDisposable
{
    private const string Password = "s3cret-push";
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-tls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WebConfig(string certFile, string keyFile, string? clientCa)
    {
        var path = Path.Combine(_dir, "web.yml");
        var hash = Bcrypt.Hash(Password, "0123456789abcdef"u8, 5);
        File.WriteAllText(path, $"""
            tls_server_config:
              cert_file: {certFile}
              key_file: {keyFile}
            {(clientCa is null ? "" : $"  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: {clientCa}\n")}basic_auth_users:
              agent: {hash}
            """);
        return path;
    }

    private string Endpoint(string url, string tls) => $"""
        [[remote_write]]
        url = "{url}"
        min_backoff = "100ms"
        max_backoff = "1s"
        basic_auth = {"{"} username = "agent", password_file = "{_dir}/password" {"}"}
        tls = {"{"} {tls} {"}"}
        """;

    [Fact]
    public async Task Pushes_with_ca_file_and_says_why_a_wrong_ca_or_a_missing_client_certificate_fails()
    {
        File.WriteAllText(Path.Combine(_dir, "password"), Password + "\n");
        using var ca = new TestCa(Path.Combine(_dir, "ca"), "monitor-ca");
        using var other = new TestCa(Path.Combine(_dir, "other"), "other-ca");
        var server = ca.Server("prometheus");
        await using var prometheus = await TlsPrometheus.StartAsync(WebConfig(server.CertFile, server.KeyFile, null), ca.Certificate, "agent", Password);

        var good = QuietAgentConfig.Write(Path.Combine(_dir, "good"), "tls-host", Endpoint(prometheus.WriteUrl, $"ca_file = \"{ca.CertFile}\""));
        var (code, stdout, stderr) = await AgentProcess.RunAsync(["check", "--config", good]);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains($"remote_write[0]", stdout);
        Assert.Matches(@"PASS\s+remote_write\[0\].*HTTP 204", stdout);

        // The same through a proxy: https goes through a CONNECT tunnel, verified end to end.
        await using (var proxy = new TunnelProxy())
        {
            var proxied = QuietAgentConfig.Write(Path.Combine(_dir, "proxied"), "tls-host",
                Endpoint(prometheus.WriteUrl, $"ca_file = \"{ca.CertFile}\"") + $"\nproxy_url = \"{proxy.Url}\"");
            (code, stdout, stderr) = await AgentProcess.RunAsync(["check", "--config", proxied]);
            Assert.True(code == 0, stdout + stderr);
            Assert.Contains($"CONNECT 127.0.0.1:{prometheus.Port} HTTP/1.1", proxy.Relayed);
        }

        await using (var agent = AgentProcess.Start(["run", "--config", good]))
        {
            var sent = await prometheus.WaitForAsync("agent_remote_write_samples_sent_total{host=\"tls-host\"} > 0", TimeSpan.FromSeconds(30));
            Assert.True(sent > 0);
            await agent.TerminateAsync(TimeSpan.FromSeconds(20));
            Assert.DoesNotContain(Password, agent.Output);
        }

        var wrong = QuietAgentConfig.Write(Path.Combine(_dir, "wrong"), "tls-host", Endpoint(prometheus.WriteUrl, $"ca_file = \"{other.CertFile}\""));
        (code, stdout, stderr) = await AgentProcess.RunAsync(["check", "--config", wrong]);
        Assert.Equal(1, code);
        var line = stdout.Split('\n').Single(l => l.Contains("remote_write[0]") && l.Contains("FAIL"));
        Assert.Contains($"TLS handshake with 127.0.0.1:{prometheus.Port} failed: the certificate CN=prometheus (issued by CN=monitor-ca) is not signed by a CA in {other.CertFile}", line);
        Assert.DoesNotContain("net_http", stdout + stderr);
    }

    [Fact]
    public async Task Mutual_tls_push_works_with_a_client_certificate_and_follows_rotated_certificates_without_a_restart()
    {
        File.WriteAllText(Path.Combine(_dir, "password"), Password);
        using var ca1 = new TestCa(Path.Combine(_dir, "ca1"), "ca-one");
        using var ca2 = new TestCa(Path.Combine(_dir, "ca2"), "ca-two");
        var server1 = ca1.Server("prometheus-1");
        var client1 = ca1.Client("agent-1");
        // Prometheus reads the files its web config names at every handshake: rotation on its side is a file copy.
        var live = Path.Combine(_dir, "live");
        Directory.CreateDirectory(live);
        string Live(string name) => Path.Combine(live, name);
        File.Copy(server1.CertFile, Live("server.crt"));
        File.Copy(server1.KeyFile, Live("server.key"));
        File.Copy(ca1.CertFile, Live("client-ca.crt"));
        File.Copy(ca1.CertFile, Live("agent-ca.crt"));
        File.Copy(client1.CertFile, Live("agent.crt"));
        File.Copy(client1.KeyFile, Live("agent.key"));
        var web = WebConfig(Live("server.crt"), Live("server.key"), Live("client-ca.crt"));
        await using var prometheus = await TlsPrometheus.StartAsync(web, ca1.Certificate, "agent", Password, client1);

        var tls = $"ca_file = \"{Live("agent-ca.crt")}\", cert_file = \"{Live("agent.crt")}\", key_file = \"{Live("agent.key")}\"";
        var config = QuietAgentConfig.Write(Path.Combine(_dir, "mtls"), "mtls-host", Endpoint(prometheus.WriteUrl, tls));

        // Without the client certificate the handshake is refused, and check says what is missing.
        var noCert = QuietAgentConfig.Write(Path.Combine(_dir, "nocert"), "mtls-host", Endpoint(prometheus.WriteUrl, $"ca_file = \"{Live("agent-ca.crt")}\""));
        var (code, stdout, stderr) = await AgentProcess.RunAsync(["check", "--config", noCert]);
        Assert.Equal(1, code);
        Assert.True(stdout.Contains($"TLS handshake with 127.0.0.1:{prometheus.Port} failed: the server requires a client certificate it trusts (set cert_file and key_file under tls)"), stdout + stderr);

        await using var agent = AgentProcess.Start(["run", "--config", config]);
        await prometheus.WaitForAsync("agent_remote_write_samples_sent_total{host=\"mtls-host\"} > 0", TimeSpan.FromSeconds(30));

        // Rotate everything to a second CA: the agent's CA bundle and client certificate, and Prometheus' certificate and client CA.
        var server2 = ca2.Server("prometheus-2");
        var client2 = ca2.Client("agent-2");
        File.Copy(ca2.CertFile, Live("agent-ca.crt"), overwrite: true);
        File.Copy(client2.CertFile, Live("agent.crt"), overwrite: true);
        File.Copy(client2.KeyFile, Live("agent.key"), overwrite: true);
        File.Copy(server2.CertFile, Live("server.crt"), overwrite: true);
        File.Copy(server2.KeyFile, Live("server.key"), overwrite: true);
        File.Copy(ca2.CertFile, Live("client-ca.crt"), overwrite: true);
        var rotatedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        prometheus.Trust(ca2.Certificate, client2);

        // Samples stamped after the rotation can only have come over a handshake with the new files.
        await prometheus.WaitForAsync($"timestamp(agent_remote_write_samples_sent_total{{host=\"mtls-host\"}}) > {rotatedAt + 2}", TimeSpan.FromSeconds(45));
        Assert.Contains("TLS files changed; new connections use them", agent.Output);
        Assert.False(agent.HasExited);
    }
}
