using System.Net.Http.Headers;
using System.Text;
using Agent.Config;

namespace Agent.Collectors.Scrape;

/// <summary>
/// The HTTP side of one job's scrapes: one connection pool for its targets, and the request
/// Prometheus sends (its Accept header, gzip, X-Prometheus-Scrape-Timeout-Seconds, auth with
/// *_file secrets read per scrape so a rotated token needs no restart).
/// </summary>
public sealed class ScrapeHttp : IDisposable
{
    private readonly ScrapeSettings _settings;
    private readonly HttpClient _http;
    private readonly string _timeoutHeader;

    public ScrapeHttp(ScrapeSettings settings, HttpMessageHandler? handler = null)
    {
        _settings = settings;
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = settings.TimeoutValue,
            UseCookies = false,
        })
        {
            // Each scrape carries its own deadline (the job's timeout) as a cancellation.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _timeoutHeader = settings.TimeoutValue.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task<HttpResponseMessage> GetAsync(Uri url, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        var headers = request.Headers;
        headers.TryAddWithoutValidation("Accept", Exposition.ExpositionContentType.Accept);
        // gzip only, decompressed by the loop: the handler's automatic decompression would link Brotli and Deflate too.
        headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        headers.UserAgent.ParseAdd(Exporters.Http.EndpointClient.UserAgent);
        headers.TryAddWithoutValidation("X-Prometheus-Scrape-Timeout-Seconds", _timeoutHeader);
        if (_settings.BasicAuth is { } basic)
        {
            var password = basic.PasswordFile.Length > 0 ? File.ReadAllText(basic.PasswordFile).Trim() : basic.Password;
            headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{basic.Username}:{password}")));
        }
        else if (_settings.BearerTokenFile.Length > 0)
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(_settings.BearerTokenFile).Trim());
        }
        else if (_settings.BearerToken.Length > 0)
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", _settings.BearerToken);
        }
        return _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    public void Dispose() => _http.Dispose();
}
