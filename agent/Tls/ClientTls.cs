using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Agent.Config;
using Microsoft.Extensions.Logging;

namespace Agent.Tls;

/// <summary>
/// The TLS side of one push endpoint: its CA bundle and client certificate, re-read when the
/// files change (<see cref="Refresh"/>), and the verification of the server's certificate,
/// which remembers why it refused one so the failed request can say so in a sentence.
/// </summary>
public sealed class ClientTls
{
    private static readonly long CheckEvery = TimeSpan.FromSeconds(1).Ticks / TimeSpan.TicksPerMillisecond;

    private readonly TlsConfig _config;
    private readonly string _host;
    private readonly string _endpoint;
    private readonly ILogger? _logger;
    private readonly string[] _paths;
    private FileStamp[] _stamps;
    private long _checkedAt;
    private bool _failing;
    private X509Certificate2Collection? _trusted;
    private SslStreamCertificateContext? _clientCertificate;
    private string? _lastRefusal;

    /// <param name="host">The URL's host: the name the server's certificate must carry unless server_name says another.</param>
    /// <exception cref="TlsFileException">A file cannot be read or parsed at start.</exception>
    public ClientTls(TlsConfig config, string host, string endpoint, ILogger? logger)
    {
        _config = config;
        _host = config.ServerName.Length > 0 ? config.ServerName : host;
        _endpoint = endpoint;
        _logger = logger;
        _paths = [config.CaFile, config.CertFile, config.KeyFile];
        _stamps = FileStamp.Of(_paths);
        Load();
        _checkedAt = Environment.TickCount64;
    }

    public bool HasClientCertificate => _config.CertFile.Length > 0;

    /// <summary>
    /// Re-reads the files when one changed (looked at no more than once a second). True when new
    /// material was loaded: connections made from now on must use <see cref="Options"/> again.
    /// A file that fails to load mid-rotation keeps the last good material, logged once.
    /// </summary>
    public bool Refresh()
    {
        if (_config.CaFile.Length == 0 && _config.CertFile.Length == 0) return false;
        var now = Environment.TickCount64;
        if (now - Volatile.Read(ref _checkedAt) < CheckEvery) return false;
        lock (_paths)
        {
            _checkedAt = now;
            var stamps = FileStamp.Of(_paths);
            if (FileStamp.Same(stamps, _stamps)) return false;
            try
            {
                Load();
            }
            catch (TlsFileException e)
            {
                if (!_failing) _logger?.LogWarning("{Endpoint}: {Problem}; keeping the certificates read before until it can be read", _endpoint, e.Message);
                _failing = true;
                return false;
            }
            _stamps = stamps;
            _failing = false;
            _logger?.LogInformation("{Endpoint}: TLS files changed; new connections use them", _endpoint);
            return true;
        }
    }

    private void Load()
    {
        var trusted = _config.CaFile.Length > 0 ? PemFiles.Certificates(_config.CaFile) : null;
        SslStreamCertificateContext? client = null;
        if (_config.CertFile.Length > 0)
        {
            var (leaf, chain) = PemFiles.KeyPair(_config.CertFile, _config.KeyFile);
            client = SslStreamCertificateContext.Create(leaf, chain, offline: true);
        }
        _trusted = trusted;
        _clientCertificate = client;
    }

    /// <summary>Options for the connections made from now on (the material loaded last).</summary>
    public SslClientAuthenticationOptions Options()
    {
        var trusted = _trusted;
        return new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = _config.Protocols,
            ClientCertificateContext = _clientCertificate,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Verify(certificate, chain, errors, trusted),
        };
    }

    private bool Verify(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2Collection? trusted)
    {
        if (_config.InsecureSkipVerify) return true;
        string? problem;
        if (certificate is not X509Certificate2 presented) problem = "the server sent no certificate";
        else if (trusted is null && _config.ServerName.Length == 0) problem = errors == SslPolicyErrors.None ? null : CertificateCheck.Problem(presented, chain, null, "", CertificateCheck.ServerAuth, _host) ?? $"the server's certificate is refused ({errors})";
        else problem = CertificateCheck.Problem(presented, chain, trusted, _config.CaFile, CertificateCheck.ServerAuth, _host);
        if (problem is not null) Volatile.Write(ref _lastRefusal, problem);
        return problem is null;
    }

    /// <summary>Why the last server certificate was refused (taken: the next failure starts afresh).</summary>
    public string? TakeRefusal() => Interlocked.Exchange(ref _lastRefusal, null);
}
