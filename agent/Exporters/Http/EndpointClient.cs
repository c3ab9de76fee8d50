using System.Net.Http.Headers;
using System.Text;
using Agent.Config;
using Agent.Tls;
using Microsoft.Extensions.Logging;

namespace Agent.Exporters.Http;

/// <summary>
/// One HTTP push endpoint (a [[remote_write]] or [[loki]] entry): its connection pool and the
/// headers every request carries (auth, tenant, user headers). Secrets in *_file are read per
/// request and certificate files checked for changes, so rotation needs no restart.
/// </summary>
public sealed class EndpointClient : IDisposable
{
    public static readonly string UserAgent = $"agent/{typeof(EndpointClient).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"}";

    private readonly EndpointConfig _config;
    private readonly SecretFile? _passwordFile, _tokenFile;
    private readonly ClientTls? _tls;
    private readonly bool _ownHandler;
    private HttpClient _http;

    /// <param name="logger">Where an unreadable secret or certificate file is reported (null: not reported).</param>
    /// <exception cref="TlsFileException">A TLS file cannot be read or parsed.</exception>
    public EndpointClient(EndpointConfig config, HttpMessageHandler? handler = null, ILogger? logger = null)
    {
        _config = config;
        var name = config.UrlValue.Authority;
        if (config.BasicAuth is { PasswordFile.Length: > 0 } basic) _passwordFile = new SecretFile(basic.PasswordFile, name, logger);
        if (config.BearerTokenFile.Length > 0) _tokenFile = new SecretFile(config.BearerTokenFile, name, logger);
        if (config.Tls is { } tls && config.UrlValue.Scheme == Uri.UriSchemeHttps) _tls = new ClientTls(tls, config.UrlValue.IdnHost, name, logger);
        _ownHandler = handler is null;
        _http = NewClient(handler ?? NewHandler());
        if (logger is null) return;
        foreach (var warning in Warnings(config)) logger.LogWarning("{Endpoint}: {Warning}", name, warning);
    }

    /// <summary>
    /// What is unsafe about how this endpoint is reached, said at every start (and by `agent
    /// check`) rather than once at setup, where nobody reads it again.
    /// </summary>
    public static IEnumerable<string> Warnings(EndpointConfig config)
    {
        if (config.Tls is { InsecureSkipVerify: true } && config.UrlValue.Scheme == Uri.UriSchemeHttps)
        {
            yield return "tls.insecure_skip_verify = true: the server's certificate is not checked, so anyone on the path can read and change what is sent";
        }
        if (config.UrlValue.Scheme == Uri.UriSchemeHttp && SendsCredentials(config) && !IsLoopback(config.UrlValue))
        {
            yield return $"credentials are sent over plain http to {config.UrlValue.Host}, readable by anyone on the path: use https://";
        }
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (System.Net.IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address));

    /// <summary>
    /// The connection pool: TLS options from the files loaded last, the endpoint's proxy_url or
    /// (without one) HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment, as curl and Go read them.
    /// </summary>
    private SocketsHttpHandler NewHandler()
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = _config.TimeoutValue,
            UseProxy = true,
        };
        if (_tls is not null) handler.SslOptions = _tls.Options();
        if (_config.ProxyValue is { } proxy) handler.Proxy = ProxySettings.For(proxy);
        return handler;
    }

    private HttpClient NewClient(HttpMessageHandler handler) => new(handler) { Timeout = _config.TimeoutValue };

    /// <summary>
    /// After a certificate file changed, requests go through a new pool (its connections
    /// handshake with the new files); the old one is disposed once its requests had time to end.
    /// </summary>
    private HttpClient Current()
    {
        if (!_ownHandler || _tls is null || !_tls.Refresh()) return _http;
        var old = Interlocked.Exchange(ref _http, NewClient(NewHandler()));
        _ = Task.Delay(_config.TimeoutValue + TimeSpan.FromSeconds(5)).ContinueWith(_ => old.Dispose(), TaskScheduler.Default);
        return _http;
    }

    public Uri Url => _config.UrlValue;

    /// <summary>Enough of an error answer to log what the server objects to.</summary>
    public const int MaxErrorBody = 4096;

    /// <summary>
    /// The first <see cref="MaxErrorBody"/> bytes of an error answer as text. Reading the whole
    /// body would let a misbehaving server (a 400 with 100 MB) take the agent's memory with it;
    /// the rest is not read, and disposing the response closes that connection.
    /// </summary>
    public static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var buffer = new byte[MaxErrorBody];
        var filled = 0;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            while (filled < buffer.Length)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(filled), ct);
                if (read == 0) break;
                filled += read;
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
        }
        var text = Encoding.UTF8.GetString(buffer, 0, filled);
        return filled == buffer.Length ? text + "…" : text;
    }

    /// <param name="protocolHeaders">Request headers the protocol requires (remote-write's version header).</param>
    public Task<HttpResponseMessage> PostAsync(HttpContent content, CancellationToken ct, IEnumerable<KeyValuePair<string, string>>? protocolHeaders = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _config.UrlValue) { Content = content };
        ApplyHeaders(request.Headers);
        if (protocolHeaders is not null)
        {
            foreach (var (name, value) in protocolHeaders) request.Headers.TryAddWithoutValidation(name, value);
        }
        return SendAsync(request, ct);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        try
        {
            return await Current().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e) when (HandshakeFailure.IsTls(e))
        {
            throw HandshakeFailure.Describe(_config.UrlValue.Authority, e, _tls?.TakeRefusal(), _tls?.HasClientCertificate == true);
        }
    }

    private void ApplyHeaders(HttpRequestHeaders headers)
    {
        headers.UserAgent.ParseAdd(UserAgent);
        foreach (var (name, value) in _config.Headers)
        {
            headers.TryAddWithoutValidation(name, value);
        }
        if (_config.TenantId.Length > 0)
        {
            headers.TryAddWithoutValidation("X-Scope-OrgID", _config.TenantId);
        }
        if (_config.BasicAuth is { } basic)
        {
            var password = _passwordFile?.Read() ?? basic.Password;
            var raw = Encoding.UTF8.GetBytes($"{basic.Username}:{password}");
            headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(raw));
        }
        else if (_tokenFile is not null)
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", _tokenFile.Read());
        }
        else if (_config.BearerToken.Length > 0)
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", _config.BearerToken);
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Whether this endpoint sends credentials (basic auth, a token, an Authorization header).</summary>
    public static bool SendsCredentials(EndpointConfig config) =>
        config.BasicAuth is not null || config.BearerToken.Length > 0 || config.BearerTokenFile.Length > 0 || config.Headers.ContainsKey("Authorization");
}
