using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Agent.Serving.Web;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Serving.Web;

/// <summary>
/// /metrics behind a web config in exporter-toolkit's format, the file node_exporter users
/// already have: Debian's Prometheus scrapes it over TLS with basic auth; without credentials,
/// with a wrong password or without the client certificate the answer is no.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class MetricsOverTlsTests : IDisposable
{
    private const string Password = "scrape-pw";
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-web-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WebConfig(TestCa ca, bool requireClientCert)
    {
        var (cert, key) = ca.Server("agent-node");
        var path = Path.Combine(_dir, "web.yml");
        // Relative paths resolve against the web config's own directory, as in exporter-toolkit.
        File.WriteAllText(path, $"""
            # as node_exporter --web.config.file takes it
            tls_server_config:
              cert_file: ca/{Path.GetFileName(cert)}
              key_file: "ca/{Path.GetFileName(key)}"
            {(requireClientCert ? "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca/" + Path.GetFileName(ca.CertFile) + "\n" : "")}basic_auth_users:
              prometheus: {Bcrypt.Hash(Password, "fedcba9876543210"u8, 6)}
            """);
        return path;
    }

    private static HttpClient Client(X509Certificate2 ca, string? user, string? password, (string Cert, string Key)? client = null)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is X509Certificate2 c && chain.Build(c);
        };
        if (client is { } c) handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(c.Cert, c.Key)];
        var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        if (user is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }
        return http;
    }

    [Fact]
    public async Task Debian_prometheus_scrapes_the_agent_over_tls_with_basic_auth()
    {
        using var ca = new TestCa(Path.Combine(_dir, "ca"), "node-ca");
        var web = WebConfig(ca, requireClientCert: false);
        var port = FreePort.Next();
        var config = QuietAgentConfig.Write(Path.Combine(_dir, "agent"), "tls-scraped", "", listen: $"127.0.0.1:{port}", http: $"web_config_file = \"{web}\"");
        var (code, stdout, stderr) = await AgentProcess.RunAsync(["check", "--config", config]);
        Assert.True(code == 0, stdout + stderr);
        Assert.Matches(@"PASS\s+http\.web_config_file .*TLS \(certificate CN=agent-node, valid until .*client_auth_type NoClientCert\), basic auth for 1 user", stdout);

        await using var agent = AgentProcess.Start(["run", "--config", config]);
        using (var anonymous = Client(ca.Certificate, null, null))
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            HttpResponseMessage? refused = null;
            while (refused is null)
            {
                try { refused = await anonymous.GetAsync($"https://127.0.0.1:{port}/metrics"); }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline) { await Task.Delay(200); }
            }
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("Basic", refused.Headers.WwwAuthenticate.Single().Scheme);
        }
        using (var wrong = Client(ca.Certificate, "prometheus", "wrong"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync($"https://127.0.0.1:{port}/healthz")).StatusCode);
        }
        using (var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync($"http://127.0.0.1:{port}/metrics"));
        }

        var scrape = $"""
              - job_name: agent
                scheme: https
                tls_config:
                  ca_file: {ca.CertFile}
                basic_auth:
                  username: prometheus
                  password: {Password}
                static_configs:
                  - targets: ["127.0.0.1:{port}"]
            """;
        await using var prometheus = await MetricsBackend.StartPrometheusAsync(scrapeConfigs: scrape + "\n    scrape_interval: 1s\n");
        var up = await prometheus.WaitForAsync("up{job=\"agent\"} == 1", TimeSpan.FromSeconds(30));
        Assert.Single(up);
        await prometheus.WaitForAsync("scrape_samples_scraped{job=\"agent\"} > 0", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(Password, agent.Output);
    }

    [Fact]
    public async Task Requires_a_client_certificate_from_the_client_ca_when_the_web_config_says_so()
    {
        using var ca = new TestCa(Path.Combine(_dir, "ca"), "node-ca");
        using var stranger = new TestCa(Path.Combine(_dir, "stranger"), "stranger-ca");
        var guard = new WebGuard(WebConfig(ca, requireClientCert: true), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await using var server = new Agent.Serving.MetricsServer(new IPEndPoint(IPAddress.Loopback, 0), body =>
        {
            body.Write("up 1\n"u8);
            return "text/plain; version=0.0.4";
        }, () => true, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, guard: guard);
        server.Start();
        var url = $"https://127.0.0.1:{server.LocalEndpoint.Port}/metrics";

        using (var trusted = Client(ca.Certificate, "prometheus", Password, ca.Client("scraper")))
        {
            Assert.Equal("up 1\n", await trusted.GetStringAsync(url));
        }
        using (var noCertificate = Client(ca.Certificate, "prometheus", Password))
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => noCertificate.GetStringAsync(url));
        }
        using (var foreign = Client(ca.Certificate, "prometheus", Password, stranger.Client("intruder")))
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => foreign.GetStringAsync(url));
        }
    }
}
