using System.Net.Http.Headers;
using System.Text;
using Agent.Config;
using Microsoft.Extensions.Logging;

namespace Agent.Exporters.Http;

/// <summary>
/// One HTTP push endpoint (a [[remote_write]] or [[loki]] entry): its connection pool and the
/// headers every request carries (auth, tenant, user headers). Secrets in *_file are read per
/// request so that a rotated token is picked up without a restart.
/// </summary>
public sealed class EndpointClient : IDisposable
{
    public static readonly string UserAgent = $"agent/{typeof(EndpointClient).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"}";

    private readonly EndpointConfig _config;
    private readonly HttpClient _http;
    private readonly SecretFile? _passwordFile, _tokenFile;

    /// <param name="logger">Where an unreadable secret file is reported (null: not reported).</param>
    public EndpointClient(EndpointConfig config, HttpMessageHandler? handler = null, ILogger? logger = null)
    {
        _config = config;
        var name = config.UrlValue.Authority;
        if (config.BasicAuth is { PasswordFile.Length: > 0 } basic) _passwordFile = new SecretFile(basic.PasswordFile, name, logger);
        if (config.BearerTokenFile.Length > 0) _tokenFile = new SecretFile(config.BearerTokenFile, name, logger);
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = config.TimeoutValue,
        })
        {
            Timeout = config.TimeoutValue,
        };
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
        return _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
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
}
