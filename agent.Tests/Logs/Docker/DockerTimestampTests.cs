using System.Text;
using Agent.Logs.Docker;
using Xunit;

namespace Agent.Tests.Logs.Docker;

public sealed class DockerTimestampTests
{
    // 2026-11-25T15:48:12Z
    private const long Base = 1_795_621_692L * 1_000_000_000;

    [Theory]
    [InlineData("2026-11-25T15:48:12.123456789Z hello", Base + 123_456_789, 31)]
    [InlineData("2026-11-25T15:48:12.1234567Z hello", Base + 123_456_700, 29)]
    [InlineData("2026-11-25T15:48:12.5Z x", Base + 500_000_000, 23)]
    [InlineData("2026-11-25T15:48:12Z x", Base, 21)]
    [InlineData("2026-11-25T16:48:12.000000001+01:00 x", Base + 1, 36)]
    [InlineData("2026-11-25T13:18:12.25-02:30 x", Base + 250_000_000, 29)]
    [InlineData("2026-11-25T15:48:12.123456789Z", Base + 123_456_789, 30)]
    public void Parses_rfc3339nano(string line, long expectedNs, int expectedConsumed)
    {
        Assert.True(DockerTimestamp.TryParse(Encoding.UTF8.GetBytes(line), out var ns, out var consumed));
        Assert.Equal(expectedNs, ns);
        Assert.Equal(expectedConsumed, consumed);
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("")]
    [InlineData("2026-11-25 15:48:12Z x")]
    [InlineData("2026-13-25T15:48:12Z x")]
    [InlineData("2026-02-30T15:48:12Z x")]
    [InlineData("2026-11-25T15:48:12.Z x")]
    [InlineData("2026-11-25T15:48:12.1234567890Z x")]
    [InlineData("2026-11-25T15:48:12 x")]
    [InlineData("2026-11-25T15:48:12+0100 x")]
    [InlineData("2026-11-25T15:48:+2Z x")]
    public void Rejects_anything_else(string line)
    {
        Assert.False(DockerTimestamp.TryParse(Encoding.UTF8.GetBytes(line), out _, out _));
    }

    [Theory]
    [InlineData(Base + 123_456_789, "1795621692.123456789")]
    [InlineData(Base + 1, "1795621692.000000001")]
    [InlineData(Base, "1795621692.000000000")]
    public void Formats_since_as_seconds_dot_nanoseconds(long ns, string expected)
    {
        Assert.Equal(expected, DockerTimestamp.Since(ns));
    }

    [Fact]
    public void Since_round_trips_with_the_parser()
    {
        Assert.True(DockerTimestamp.TryParse("2026-11-25T15:48:12.000000042Z "u8, out var ns, out _));
        Assert.Equal("1795621692.000000042", DockerTimestamp.Since(ns));
    }
}
