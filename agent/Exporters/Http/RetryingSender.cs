using Agent.Config;
using Agent.Pipeline;
using Agent.Telemetry;
using Microsoft.Extensions.Logging;

namespace Agent.Exporters.Http;

/// <summary>An answer that ends a send: delivered (2xx) or rejected for good (other 4xx), with the server's body.</summary>
public readonly record struct SettledSend(SendOutcome Outcome, int Code, string Body);

/// <summary>
/// The send → retry layer both exporters share: POST, count the answer by code, and on 5xx,
/// 429, timeouts and network errors wait (capped exponential backoff with jitter, Retry-After
/// first) and send the same body again, until the endpoint settles it or the hard stop comes.
/// </summary>
public sealed class RetryingSender
{
    private readonly EndpointClient _client;
    private readonly RetryPolicy _retry;
    private readonly string _name;
    private readonly string _timeout;
    private readonly string _requestsName;
    private readonly string _requestsHelp;
    private readonly Label _endpoint;
    private readonly SelfMetrics _metrics;
    private readonly Counter _retries;
    private readonly ILogger _logger;

    /// <param name="metricPrefix">agent_remote_write or agent_loki.</param>
    /// <param name="noun">How help texts call one send ("Remote-write requests", "Loki pushes").</param>
    public RetryingSender(EndpointClient client, EndpointConfig config, string name, string metricPrefix, string noun, SelfMetrics metrics, ILogger logger)
    {
        _client = client;
        _retry = new RetryPolicy(config.MinBackoffValue, config.MaxBackoffValue);
        _name = name;
        _timeout = config.Timeout;
        _endpoint = new Label("endpoint", name);
        _requestsName = metricPrefix + "_requests_total";
        _requestsHelp = noun + " by HTTP status code.";
        _metrics = metrics;
        _retries = metrics.Counter(metricPrefix + "_retries_total", noun + " retried.", _endpoint);
        _logger = logger;
    }

    /// <summary>
    /// Tells, from its body, a 429 that retrying cannot cure (Loki's stream limit): such an
    /// answer settles the send as rejected, so the exporter can split the push and keep
    /// shipping what the server still takes instead of retrying one push forever.
    /// </summary>
    public Func<string, bool>? PermanentRefusal { get; init; }

    /// <summary>Null when the hard stop came first: the body is neither delivered nor rejected.</summary>
    public async Task<SettledSend?> SendAsync(Func<HttpContent> content, IEnumerable<KeyValuePair<string, string>>? headers, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            var rateLimited = false;
            string failure;
            try
            {
                using var request = content();
                using var response = await _client.PostAsync(request, ct, headers);
                var code = (int)response.StatusCode;
                _metrics.Counter(_requestsName, _requestsHelp, _endpoint, new Label("code", code.ToString(System.Globalization.CultureInfo.InvariantCulture))).Add();
                var outcome = SendOutcomes.Classify(response.StatusCode);
                if (outcome == SendOutcome.Delivered)
                {
                    if (attempt > 0) _logger.LogInformation("{Endpoint}: delivered after {Attempts} attempts", _name, attempt + 1);
                    return new SettledSend(outcome, code, "");
                }
                if (outcome == SendOutcome.Rejected) return new SettledSend(outcome, code, await EndpointClient.ReadErrorBodyAsync(response, ct));
                rateLimited = code == 429;
                if (rateLimited && PermanentRefusal is { } refusal)
                {
                    var body = await EndpointClient.ReadErrorBodyAsync(response, ct);
                    if (refusal(body)) return new SettledSend(SendOutcome.Rejected, code, body);
                }
                retryAfter = RetryPolicy.RetryAfter(response, DateTimeOffset.UtcNow);
                failure = $"HTTP {code}";
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception e)
            {
                // Anything else (an unreadable secret file, a handler bug) is retried too: a send
                // loop that ends on an unexpected exception would stop this endpoint for good.
                failure = e is TaskCanceledException ? $"timeout after {_timeout}" : ErrorText.Of(e);
            }
            _retries.Add();
            var delay = _retry.Delay(attempt, retryAfter, rateLimited);
            if (attempt == 0 || attempt % 10 == 0)
            {
                _logger.LogWarning("{Endpoint}: {Failure}; retrying in {Delay:F1}s (attempt {Attempt})", _name, failure, delay.TotalSeconds, attempt + 1);
            }
            try
            {
                await Task.Delay(delay, ct);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }
}
