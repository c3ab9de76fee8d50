using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Agent.Tls;

namespace Agent.Serving.Web;

/// <summary>exporter-toolkit's client_auth_type values (Go's tls.ClientAuthType names).</summary>
public enum ClientAuth
{
    NoClientCert,
    RequestClientCert,
    RequireAnyClientCert,
    VerifyClientCertIfGiven,
    RequireAndVerifyClientCert,
}

/// <summary>tls_server_config, its files already read (so a broken file fails at load, not at the first scrape).</summary>
public sealed record ServerTlsSettings(
    string CertFile,
    string KeyFile,
    ClientAuth ClientAuth,
    string ClientCaFile,
    SslProtocols Protocols,
    X509Certificate2 Certificate,
    X509Certificate2Collection Chain,
    X509Certificate2Collection? ClientCas);

/// <summary>
/// A web config file in Prometheus exporter-toolkit's format (node_exporter's --web.config.file),
/// so the file a node_exporter user already has protects the agent's /metrics the same way:
/// <code>
/// tls_server_config:
///   cert_file: server.crt
///   key_file: server.key
///   client_auth_type: RequireAndVerifyClientCert
///   client_ca_file: ca.crt
///   min_version: TLS12
/// basic_auth_users:
///   prometheus: $2y$10$...
/// </code>
/// Keys this agent does not implement (cipher_suites, http_server_config, ...) are refused by
/// name rather than ignored: a setting silently not applied is a hole the author doesn't know of.
/// </summary>
public sealed class WebConfig
{
    public ServerTlsSettings? Tls { get; private init; }
    /// <summary>User name → bcrypt hash; empty: no authentication.</summary>
    public IReadOnlyDictionary<string, string> Users { get; private init; } = new Dictionary<string, string>();
    /// <summary>The files this config was read from, for change detection: the web config itself first.</summary>
    public IReadOnlyList<string> Files { get; private init; } = [];

    private static readonly string[] ClientAuthNames =
        ["NoClientCert", "RequestClientCert", "RequireAnyClientCert", "VerifyClientCertIfGiven", "RequireAndVerifyClientCert"];

    /// <exception cref="WebConfigException">Every problem, each "file:line: key: message".</exception>
    public static WebConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WebConfigException([$"{path}: cannot read: {Telemetry.ErrorText.Of(e)}"]);
        }
        YamlNode root;
        try
        {
            root = YamlSubset.Parse(text);
        }
        catch (YamlException e)
        {
            throw new WebConfigException([$"{path}:{e.Line}: {e.Message}"]);
        }
        return new Reader(path).Read(root);
    }

    private sealed class Reader(string path)
    {
        private readonly List<string> _problems = [];
        private readonly string _directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";

        public WebConfig Read(YamlNode root)
        {
            if (root.Mapping is null)
            {
                throw new WebConfigException([$"{path}:{root.Line}: the file must be a mapping (tls_server_config:, basic_auth_users:)"]);
            }
            ServerTlsSettings? tls = null;
            var users = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, line, value) in root.Mapping)
            {
                switch (key)
                {
                    case "tls_server_config":
                        tls = ReadTls(value, line);
                        break;
                    case "basic_auth_users":
                        ReadUsers(value, users);
                        break;
                    case "http_server_config":
                        Problem(line, key, "is not supported by the agent (HTTP/2 and response headers): remove it");
                        break;
                    default:
                        Problem(line, key, "unknown key (known: tls_server_config, basic_auth_users)");
                        break;
                }
            }
            if (_problems.Count > 0) throw new WebConfigException(_problems);
            var files = new List<string> { path };
            if (tls is not null)
            {
                files.Add(tls.CertFile);
                files.Add(tls.KeyFile);
                if (tls.ClientCaFile.Length > 0) files.Add(tls.ClientCaFile);
            }
            return new WebConfig { Tls = tls, Users = users, Files = files };
        }

        private ServerTlsSettings? ReadTls(YamlNode node, int line)
        {
            if (node.IsNull) return null;
            if (node.Mapping is null)
            {
                Problem(line, "tls_server_config", "must be a mapping of cert_file, key_file, ...");
                return null;
            }
            string certFile = "", keyFile = "", caFile = "";
            var clientAuth = ClientAuth.NoClientCert;
            var protocols = SslProtocols.Tls12 | SslProtocols.Tls13;
            var valid = true;
            foreach (var (key, at, value) in node.Mapping)
            {
                var name = "tls_server_config." + key;
                switch (key)
                {
                    case "cert_file":
                        certFile = FilePath(value, at, name);
                        break;
                    case "key_file":
                        keyFile = FilePath(value, at, name);
                        break;
                    case "client_ca_file":
                        caFile = FilePath(value, at, name);
                        break;
                    case "client_auth_type":
                        var type = Text(value, at, name);
                        var index = Array.IndexOf(ClientAuthNames, type);
                        if (index < 0) valid = Problem(at, name, $"\"{type}\" is not one of {string.Join(", ", ClientAuthNames)}");
                        else clientAuth = (ClientAuth)index;
                        break;
                    case "min_version":
                        var version = Text(value, at, name);
                        if (!TlsVersions.TryParse(version, out protocols, out var why)) valid = Problem(at, name, why);
                        break;
                    case "cert" or "key" or "client_ca" or "max_version" or "cipher_suites" or "curve_preferences" or "prefer_server_cipher_suites" or "client_allowed_sans":
                        valid = Problem(at, name, "is not supported by the agent (it takes cert_file, key_file, client_auth_type, client_ca_file and min_version): remove it");
                        break;
                    default:
                        valid = Problem(at, name, "unknown key");
                        break;
                }
            }
            if (certFile.Length == 0) valid = Problem(line, "tls_server_config.cert_file", "is required");
            if (keyFile.Length == 0) valid = Problem(line, "tls_server_config.key_file", "is required");
            var verifies = clientAuth is ClientAuth.VerifyClientCertIfGiven or ClientAuth.RequireAndVerifyClientCert;
            if (verifies && caFile.Length == 0) valid = Problem(line, "tls_server_config.client_ca_file", $"is required with client_auth_type {clientAuth}");
            if (!verifies && caFile.Length > 0 && clientAuth != ClientAuth.NoClientCert)
            {
                valid = Problem(line, "tls_server_config.client_ca_file", $"is not used with client_auth_type {clientAuth} (certificates are not verified): use VerifyClientCertIfGiven or RequireAndVerifyClientCert");
            }
            if (!valid) return null;
            try
            {
                var (certificate, chain) = PemFiles.KeyPair(certFile, keyFile);
                var cas = caFile.Length > 0 ? PemFiles.Certificates(caFile) : null;
                return new ServerTlsSettings(certFile, keyFile, clientAuth, caFile, protocols, certificate, chain, cas);
            }
            catch (TlsFileException e)
            {
                Problem(line, "tls_server_config", e.Message);
                return null;
            }
        }

        private void ReadUsers(YamlNode node, Dictionary<string, string> users)
        {
            if (node.IsNull) return;
            if (node.Mapping is null)
            {
                Problem(node.Line, "basic_auth_users", "must map user names to bcrypt hashes");
                return;
            }
            foreach (var (user, at, value) in node.Mapping)
            {
                var name = "basic_auth_users." + user;
                if (user.Contains(':')) Problem(at, name, "a user name must not contain ':' (basic auth joins user and password with it)");
                var hash = Text(value, at, name);
                if (hash.Length > 0 && !Bcrypt.TryParse(hash, out _, out var problem)) Problem(at, name, problem!);
                users[user] = hash;
            }
        }

        private string FilePath(YamlNode node, int line, string key)
        {
            var text = Text(node, line, key);
            // exporter-toolkit resolves relative paths against the web config's own directory.
            return text.Length == 0 ? "" : Path.IsPathRooted(text) ? text : Path.GetFullPath(Path.Combine(_directory, text));
        }

        private string Text(YamlNode node, int line, string key)
        {
            if (node.Scalar is { } text) return text;
            Problem(line, key, node.IsNull ? "has no value" : "must be a single value");
            return "";
        }

        private bool Problem(int line, string key, string message)
        {
            _problems.Add($"{path}:{line}: {key}: {message}");
            return false;
        }
    }
}

/// <summary>Every problem of a web config file, one "file:line: key: message" each.</summary>
public sealed class WebConfigException(IReadOnlyList<string> problems) : Exception(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
