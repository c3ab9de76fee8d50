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

    /// <summary>The wait before retry number <paramref name="attempt"/> (0 = first retry).</summary>
    public TimeSpan Delay(int attempt, TimeSpan? retryAfter = null)
    {
        if (retryAfter is { } ra && ra > TimeSpan.Zero)
        {
            return ra < MaxBackoff ? ra : MaxBackoff;
        }
        var ceiling = MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        ceiling = Math.Min(ceiling, MaxBackoff.TotalMilliseconds);
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
