using Agent.Config;
using Agent.Exporters.Http;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Config;

/// <summary>[*.tls], proxy_url and [http] web_config_file: checked at load with file:line:col, credentials never echoed.</summary>
public sealed class TransportConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-transport-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private AgentConfig Parse(string text) => ConfigLoader.Parse(text, Path.Combine(_dir, "agent.toml"), _ => null);

    private string[] Problems(string text) => [.. Assert.Throws<ConfigException>(() => Parse(text)).Problems];

    [Fact]
    public void Reads_tls_and_proxy_settings()
    {
        using var ca = new TestCa(Path.Combine(_dir, "ca"), "ca");
        var (cert, key) = ca.Client("node");
        var config = Parse($"""
            [[remote_write]]
            url = "https://mimir.example/api/v1/push"
            proxy_url = "http://user:proxy-secret@proxy.example:3128"
            tls = {"{"} ca_file = "ca/ca.crt", cert_file = "{cert}", key_file = "{key}", server_name = "mimir", min_version = "TLS13" {"}"}
            """);
        var rw = config.RemoteWrite[0];
        Assert.Equal(Path.Combine(_dir, "ca", "ca.crt"), rw.Tls!.CaFile);
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls13, rw.Tls.Protocols);
        Assert.Equal("http://***@proxy.example:3128/", rw.ProxyUrl);
        Assert.Equal("proxy-secret", ((System.Net.NetworkCredential)((System.Net.WebProxy)ProxySettings.For(rw.ProxyValue!)).Credentials!).Password);
        Assert.Empty(EndpointClient.Warnings(rw));
    }

    [Fact]
    public void Names_file_line_and_key_of_each_transport_problem_without_echoing_secrets()
    {
        var file = Path.Combine(_dir, "agent.toml");
        var problems = Problems("""
            [[remote_write]]
            url = "http://mimir.example/api/v1/push?api_key=very-secret"
            proxy_url = "socks9://u:proxy-pw@proxy"
            tls = { ca_file = "missing.crt" }

            [[loki]]
            url = "https://loki.example/loki/api/v1/push"
            [loki.tls]
            cert_file = "only-cert.crt"
            min_version = "TLS11"
            """);
        Assert.Equal(
        [
            $"{file}:3:1: remote_write[0].proxy_url: \"socks9://***@proxy\" is not an absolute http(s) URL (like \"http://proxy:3128\")",
            $"{file}:4:1: remote_write[0].tls: is set but the url is http://: TLS applies to https:// only",
            $"{file}:4:9: remote_write[0].tls.ca_file: {_dir}/missing.crt: no such file",
            $"{file}:10:1: loki[0].tls.min_version: \"TLS11\" is not supported: TLS 1.0 and 1.1 are obsolete (RFC 8996); use \"TLS12\" or \"TLS13\"",
            $"{file}:8:2: loki[0].tls.key_file: cert_file and key_file go together (the client certificate and its private key)",
        ], problems);
        Assert.DoesNotContain("proxy-pw", string.Join('\n', problems));
        Assert.DoesNotContain("very-secret", string.Join('\n', problems));
    }

    [Fact]
    public void Warns_of_skipped_verification_and_of_credentials_in_the_clear()
    {
        var config = Parse("""
            [[remote_write]]
            url = "https://mimir.example/api/v1/push"
            tls = { insecure_skip_verify = true }

            [[loki]]
            url = "http://loki.example:3100/loki/api/v1/push"
            basic_auth = { username = "node", password = "pw" }

            [[loki]]
            url = "http://127.0.0.1:3100/loki/api/v1/push"
            bearer_token = "local"
            """);
        Assert.Equal(["tls.insecure_skip_verify = true: the server's certificate is not checked, so anyone on the path can read and change what is sent"],
            EndpointClient.Warnings(config.RemoteWrite[0]));
        Assert.Equal(["credentials are sent over plain http to loki.example, readable by anyone on the path: use https://"], EndpointClient.Warnings(config.Loki[0]));
        Assert.Empty(EndpointClient.Warnings(config.Loki[1]));
    }

    [Fact]
    public void Reports_web_config_problems_under_http_web_config_file()
    {
        var web = Path.Combine(_dir, "web.yml");
        File.WriteAllText(web, "basic_auth_users:\n  alice: nope\n");
        var file = Path.Combine(_dir, "agent.toml");
        var problems = Problems("""
            [http]
            listen = "127.0.0.1:9101"
            web_config_file = "web.yml"
            """);
        Assert.Equal([$"{file}:3:1: http.web_config_file: {web}:2: basic_auth_users.alice: is not a bcrypt hash ($2y$10$ followed by 53 characters, as htpasswd -nBC 10 USER prints it)"], problems);
    }
}
