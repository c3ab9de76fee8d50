using System.Net;
using Agent.Exporters.Http;
using Xunit;

namespace Agent.Tests.Exporters.Http;

public sealed class RetryPolicyTests
{
    private static readonly RetryPolicy Policy = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(5), () => 1.0);

    [Theory]
    [InlineData(0, 500)]
    [InlineData(1, 1_000)]
    [InlineData(3, 4_000)]
    [InlineData(9, 256_000)]
    [InlineData(10, 300_000)]
    [InlineData(100, 300_000)]
    public void Exponential_and_capped_at_the_top_of_the_jitter(int attempt, double ms) =>
        Assert.Equal(ms, Policy.Delay(attempt).TotalMilliseconds);

    [Fact]
    public void Jitter_never_goes_below_half_the_step_nor_below_the_minimum()
    {
        var low = new RetryPolicy(TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(5), () => 0.0);
        Assert.Equal(500, low.Delay(0).TotalMilliseconds);
        Assert.Equal(2_000, low.Delay(3).TotalMilliseconds);
    }

    [Fact]
    public void Retry_after_wins_but_is_capped()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), Policy.Delay(0, TimeSpan.FromSeconds(7)));
        Assert.Equal(TimeSpan.FromMinutes(5), Policy.Delay(0, TimeSpan.FromHours(1)));
    }

    [Theory]
    [InlineData(0, 500)]
    [InlineData(4, 8_000)]
    [InlineData(5, 10_000)]
    [InlineData(100, 10_000)]
    public void A_429_without_retry_after_waits_at_most_ten_seconds(int attempt, double ms) =>
        Assert.Equal(ms, Policy.Delay(attempt, rateLimited: true).TotalMilliseconds);

    [Fact]
    public void Retry_after_as_seconds_or_date()
    {
        var now = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
        using var seconds = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        seconds.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(30), RetryPolicy.RetryAfter(seconds, now));
        using var date = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        date.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(now.AddMinutes(2));
        Assert.Equal(TimeSpan.FromMinutes(2), RetryPolicy.RetryAfter(date, now));
        using var none = new HttpResponseMessage(HttpStatusCode.InternalServerError);
        Assert.Null(RetryPolicy.RetryAfter(none, now));
    }

    [Theory]
    [InlineData(200, SendOutcome.Delivered)]
    [InlineData(204, SendOutcome.Delivered)]
    [InlineData(400, SendOutcome.Rejected)]
    [InlineData(401, SendOutcome.Rejected)]
    [InlineData(404, SendOutcome.Rejected)]
    [InlineData(413, SendOutcome.Rejected)]
    [InlineData(429, SendOutcome.Retry)]
    [InlineData(500, SendOutcome.Retry)]
    [InlineData(503, SendOutcome.Retry)]
    public void Outcomes_by_status(int code, SendOutcome expected) => Assert.Equal(expected, SendOutcomes.Classify((HttpStatusCode)code));
}
