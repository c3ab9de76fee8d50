using Agent.Serving.Web;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Serving.Web;

/// <summary>The exporter-toolkit web config reader: its YAML subset, its keys, and a file:line for every problem.</summary>
public sealed class WebConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-webconfig-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Reads_a_node_exporter_web_config_with_relative_certificate_paths()
    {
        using var ca = new TestCa(Path.Combine(_dir, "certs"), "ca");
        var (cert, key) = ca.Server("server");
        Assert.EndsWith("certs/server.crt", cert);
        var path = Path.Combine(_dir, "web.yml");
        File.Copy(Fixtures.Path("webconfig", "node_exporter.yml"), path);

        var config = WebConfig.Load(path);

        var tls = Assert.IsType<ServerTlsSettings>(config.Tls);
        Assert.Equal(Path.Combine(_dir, "certs", "server.crt"), tls.CertFile);
        Assert.Equal(Path.Combine(_dir, "certs", "server.key"), tls.KeyFile);
        Assert.Equal(ClientAuth.RequireAndVerifyClientCert, tls.ClientAuth);
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls13, tls.Protocols);
        Assert.Equal("CN=server", tls.Certificate.Subject);
        Assert.Equal(["grafana", "prometheus"], config.Users.Keys.Order());
        Assert.True(Bcrypt.Verify("", config.Users["grafana"]));
        Assert.Equal([path, tls.CertFile, tls.KeyFile, tls.ClientCaFile], config.Files);
    }

    [Fact]
    public void Names_the_line_and_key_of_every_problem()
    {
        var path = Path.Combine(_dir, "broken.yml");
        File.Copy(Fixtures.Path("webconfig", "broken.yml"), path);
        var e = Assert.Throws<WebConfigException>(() => WebConfig.Load(path));
        Assert.Equal(
        [
            $"{path}:3: tls_server_config.client_auth_type: \"RequireClientCert\" is not one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert",
            $"{path}:4: tls_server_config.cipher_suites: is not supported by the agent (it takes cert_file, key_file, client_auth_type, client_ca_file and min_version): remove it",
            $"{path}:6: tls_server_config.min_version: \"TLS10\" is not supported: TLS 1.0 and 1.1 are obsolete (RFC 8996); use \"TLS12\" or \"TLS13\"",
            $"{path}:1: tls_server_config.key_file: is required",
            $"{path}:8: basic_auth_users.alice: is not a bcrypt hash ($2y$10$ followed by 53 characters, as htpasswd -nBC 10 USER prints it)",
            $"{path}:9: basic_auth_users.bob: has no value",
            $"{path}:10: http_server_config: is not supported by the agent (HTTP/2 and response headers): remove it",
        ], e.Problems);
    }

    [Theory]
    [InlineData("a: 1\n\tb: 2\n", 2, "a tab indents this line (YAML indents with spaces only)")]
    [InlineData("a: 1\na: 2\n", 2, "\"a\" is already set on line 1")]
    [InlineData("a:\n  b: 1\n c: 2\n", 3, "indented more than the keys before it")]
    [InlineData("a: &anchor x\n", 1, "values starting with '&' (anchors, tags, block or flow style) are not supported: quote the value")]
    [InlineData("a: [x, y]\n", 1, "values starting with '[' (anchors, tags, block or flow style) are not supported: quote the value")]
    [InlineData("a: \"open\n", 1, "a double-quoted value is not closed on its line")]
    [InlineData("just text\n", 1, "expected \"key: value\"")]
    [InlineData("a: 1\n---\nb: 2\n", 2, "a second YAML document is not supported")]
    [InlineData("  a: 1\n", 1, "the first key must not be indented")]
    public void Refuses_yaml_outside_the_subset_with_its_line(string text, int line, string message)
    {
        var e = Assert.Throws<YamlException>(() => YamlSubset.Parse(text));
        Assert.Equal(line, e.Line);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Parses_nesting_lists_quotes_and_comments()
    {
        var root = YamlSubset.Parse("""
            # comment
            a:
              b: "x # not a comment"   # a comment
              c: 'it''s'
              list:
              - one
              - "two"
            d: {}
            e:
            f: $2y$10$abc#def
            """);
        var a = root.Mapping![0];
        Assert.Equal(("a", 2), (a.Key, a.Line));
        Assert.Equal("x # not a comment", a.Value.Mapping![0].Value.Scalar);
        Assert.Equal("it's", a.Value.Mapping[1].Value.Scalar);
        Assert.Equal(["one", "two"], a.Value.Mapping[2].Value.Sequence!.Select(n => n.Scalar));
        Assert.Empty(root.Mapping[1].Value.Mapping!);
        Assert.True(root.Mapping[2].Value.IsNull);
        Assert.Equal("$2y$10$abc#def", root.Mapping[3].Value.Scalar);
    }
}
