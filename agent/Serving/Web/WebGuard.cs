using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Agent.Tls;
using Microsoft.Extensions.Logging;

namespace Agent.Serving.Web;

/// <summary>
/// What the web config file asks of every connection to /metrics and /healthz: a TLS handshake
/// (with client certificates as client_auth_type says) and basic auth. The file and the files it
/// names are looked at again when they change, as exporter-toolkit does, so certificates and
/// users rotate without a restart; a file that breaks mid-edit keeps the last good config.
/// </summary>
public sealed class WebGuard
{
    private static readonly long CheckEvery = 1000;
    /// <summary>Successful logins remembered (user, hash, password digest): bcrypt costs ~50 ms per check by design.</summary>
    private const int MaxCached = 1024;
    /// <summary>Checked for unknown users too, so a wrong user name takes as long as a wrong password.</summary>
    private const string DummyHash = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";

    private readonly string _path;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, bool> _verified = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _bcrypt = new(1, 1);
    private readonly Lock _reload = new();
    private WebConfig _config;
    private SslStreamCertificateContext? _context;
    private FileStamp[] _stamps;
    private long _checkedAt;
    private bool _failing;

    /// <exception cref="WebConfigException">The file is not valid at start.</exception>
    public WebGuard(string path, ILogger logger)
    {
        _path = path;
        _logger = logger;
        _config = WebConfig.Load(path);
        _context = Context(_config);
        _stamps = FileStamp.Of(_config.Files);
        _checkedAt = Environment.TickCount64;
    }

    public bool UsesTls => Current().Tls is not null;

    /// <summary>The config now, re-read when one of its files changed (looked at once a second at most).</summary>
    private WebConfig Current()
    {
        var now = Environment.TickCount64;
        if (now - Volatile.Read(ref _checkedAt) < CheckEvery) return _config;
        lock (_reload)
        {
            if (now - _checkedAt < CheckEvery) return _config;
            _checkedAt = now;
            var stamps = FileStamp.Of(_config.Files);
            if (FileStamp.Same(stamps, _stamps)) return _config;
            try
            {
                var config = WebConfig.Load(_path);
                _context = Context(config);
                _config = config;
                _stamps = FileStamp.Of(config.Files);
                _failing = false;
                _logger.LogInformation("http: {File} or a file it names changed; new connections use it", _path);
            }
            catch (WebConfigException e)
            {
                if (!_failing) _logger.LogWarning("http: {Problems}; keeping the web config read before", e.Message);
                _failing = true;
                _stamps = stamps;
            }
            return _config;
        }
    }

    /// <summary>The server certificate with its chain, built once per config rather than per handshake.</summary>
    private static SslStreamCertificateContext? Context(WebConfig config) =>
        config.Tls is { } tls ? SslStreamCertificateContext.Create(tls.Certificate, tls.Chain, offline: true) : null;

    /// <summary>Options for one TLS handshake; null when the config has no tls_server_config.</summary>
    public SslServerAuthenticationOptions? ServerOptions()
    {
        if (Current().Tls is not { } tls) return null;
        return new SslServerAuthenticationOptions
        {
            EnabledSslProtocols = tls.Protocols,
            ServerCertificateContext = _context,
            ClientCertificateRequired = tls.ClientAuth != ClientAuth.NoClientCert,
            RemoteCertificateValidationCallback = (_, certificate, chain, _) => ClientCertificateAccepted(tls, certificate as X509Certificate2, chain),
        };
    }

    private static bool ClientCertificateAccepted(ServerTlsSettings tls, X509Certificate2? certificate, X509Chain? chain) => tls.ClientAuth switch
    {
        ClientAuth.NoClientCert or ClientAuth.RequestClientCert => true,
        ClientAuth.RequireAnyClientCert => certificate is not null,
        ClientAuth.VerifyClientCertIfGiven => certificate is null || Verified(tls, certificate, chain),
        _ => certificate is not null && Verified(tls, certificate, chain),
    };

    private static bool Verified(ServerTlsSettings tls, X509Certificate2 certificate, X509Chain? chain) =>
        CertificateCheck.Problem(certificate, chain, tls.ClientCas, tls.ClientCaFile, CertificateCheck.ClientAuth, null) is null;

    /// <summary>
    /// Whether the request may proceed: true without basic_auth_users; else its Authorization
    /// header must carry a listed user and the password that matches the user's bcrypt hash.
    /// </summary>
    /// <param name="head">The request line and headers, up to the blank line.</param>
    public async ValueTask<bool> AuthorizedAsync(ReadOnlyMemory<byte> head, CancellationToken ct)
    {
        var users = Current().Users;
        if (users.Count == 0) return true;
        if (!TryBasicCredentials(head.Span, out var user, out var password)) return false;
        var known = users.TryGetValue(user, out var hash);
        hash = known ? hash! : DummyHash;
        var key = $"{user}\n{hash}\n{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(password)))}";
        if (known && _verified.ContainsKey(key)) return true;
        // One bcrypt at a time: a flood of wrong passwords costs one core, not every core.
        await _bcrypt.WaitAsync(ct);
        bool ok;
        try
        {
            ok = Bcrypt.Verify(password, hash) && known;
        }
        finally
        {
            _bcrypt.Release();
        }
        if (!ok) return false;
        if (_verified.Count >= MaxCached) _verified.Clear();
        _verified[key] = true;
        return true;
    }

    /// <summary>Finds "Authorization: Basic base64(user:password)" among the headers.</summary>
    public static bool TryBasicCredentials(ReadOnlySpan<byte> head, out string user, out string password)
    {
        user = password = "";
        var rest = head;
        while (rest.Length > 0)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon < 0 || !Ascii.EqualsIgnoreCase(line[..colon], "Authorization"u8)) continue;
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (value.Length < 6 || !Ascii.EqualsIgnoreCase(value[..6], "Basic "u8)) return false;
            var encoded = value[6..].Trim((byte)' ');
            var decoded = new byte[encoded.Length];
            if (System.Buffers.Text.Base64.DecodeFromUtf8(encoded, decoded, out _, out var written) != System.Buffers.OperationStatus.Done) return false;
            var text = Encoding.UTF8.GetString(decoded, 0, written);
            var separator = text.IndexOf(':');
            if (separator < 0) return false;
            user = text[..separator];
            password = text[(separator + 1)..];
            return true;
        }
        return false;
    }
}
