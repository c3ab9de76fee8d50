using Agent.Logs;
using Xunit;

namespace Agent.Tests.Logs;

public sealed class StreamClockTests
{
    [Fact]
    public void Timestamps_strictly_increase_per_stream_even_when_the_clock_stands_still_or_steps_back()
    {
        var now = 1_000L;
        var clock = new StreamClock(() => now);
        Assert.Equal(1_000, clock.Next("{a=\"1\"}"));
        Assert.Equal(1_001, clock.Next("{a=\"1\"}"));
        now = 500;
        Assert.Equal(1_002, clock.Next("{a=\"1\"}"));
        Assert.Equal(500, clock.Next("{a=\"2\"}"));
        now = 5_000;
        Assert.Equal(5_000, clock.Next("{a=\"1\"}"));
    }
}
