namespace Agent.Exporters.Http;

/// <summary>
/// Capped exponential backoff with full jitter (as Prometheus and Promtail do), and the
/// server's Retry-After taken as given when it sends one, capped at the maximum backoff.
/// </summary>
public sealed class RetryPolicy(TimeSpan minBackoff, TimeSpan maxBackoff, Func<double>? random = null)
{
    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;

    public TimeSpan MinBackoff { get; } = minBackoff;
    public TimeSpan MaxBackoff { get; } = maxBackoff;

    /// <summary>
    /// The longest wait after a 429 without Retry-After. The server is up and only pacing us:
    /// after a long rate-limited spell the backoff must not have grown to minutes, or shipping
    /// resumes long after the server recovered.
    /// </summary>
    public static readonly TimeSpan MaxRateLimitedBackoff = TimeSpan.FromSeconds(10);

    /// <summary>The wait before retry number <paramref name="attempt"/> (0 = first retry).</summary>
    /// <param name="rateLimited">The answer was 429: waits are capped at <see cref="MaxRateLimitedBackoff"/>.</param>
    public TimeSpan Delay(int attempt, TimeSpan? retryAfter = null, bool rateLimited = false)
    {
        if (retryAfter is { } ra && ra > TimeSpan.Zero)
        {
            return ra < MaxBackoff ? ra : MaxBackoff;
        }
        var cap = rateLimited && MaxRateLimitedBackoff < MaxBackoff ? MaxRateLimitedBackoff : MaxBackoff;
        var ceiling = MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        ceiling = Math.Min(ceiling, cap.TotalMilliseconds);
        // Half fixed, half jitter: never below half the step, so a fleet recovering
        // from one outage spreads out without hammering at near-zero delays.
        var ms = ceiling / 2 + _random() * ceiling / 2;
        return TimeSpan.FromMilliseconds(Math.Max(ms, MinBackoff.TotalMilliseconds));
    }

    /// <summary>Parses Retry-After as delta-seconds or an HTTP date.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        var header = response.Headers.RetryAfter;
        if (header is null) return null;
        if (header.Delta is { } delta) return delta;
        if (header.Date is { } date)
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }
}
