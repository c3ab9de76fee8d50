using Agent.Pipeline;
using Xunit;

namespace Agent.Tests.Pipeline;

public sealed class StaleMarkersTests
{
    private static MetricBatch Batch(long ts, params (string Name, string Container)[] series)
    {
        var families = new Dictionary<string, MetricFamily>();
        foreach (var (name, container) in series)
        {
            if (!families.TryGetValue(name, out var f)) families[name] = f = new MetricFamily(name, "help", MetricType.Gauge);
            // A new array each cycle, as some collectors build them: identity is by content.
            f.Add([new Label("name", container)], 1);
        }
        return new MetricBatch("cadvisor", ts, [.. families.Values]);
    }

    [Fact]
    public void A_series_missing_from_the_next_batch_gets_one_stale_marker_with_the_spec_bits()
    {
        var stale = new StaleMarkers();
        var first = Batch(1000, ("container_last_seen", "a"), ("container_last_seen", "b"), ("container_memory_rss", "b"));
        Assert.Same(first, stale.Mark(first));

        var second = stale.Mark(Batch(2000, ("container_last_seen", "a")));
        var ended = second.Families.Skip(1).OrderBy(f => f.Name).ToList();
        Assert.Equal(["container_last_seen", "container_memory_rss"], ended.Select(f => f.Name));
        Assert.All(ended, f =>
        {
            var sample = Assert.Single(f.Samples);
            Assert.Equal("b", sample.Labels.Single().Value);
            Assert.Equal(0x7ff0000000000002, BitConverter.DoubleToInt64Bits(sample.Value));
            Assert.True(StaleMarkers.IsStale(sample.Value));
        });
        Assert.Equal(2000, second.TimestampMs);

        // Marked once: the third batch without b says nothing more about it.
        var third = Batch(3000, ("container_last_seen", "a"));
        Assert.Same(third, stale.Mark(third));
    }

    [Fact]
    public void A_series_that_comes_back_is_not_marked()
    {
        var stale = new StaleMarkers();
        stale.Mark(Batch(1, ("up", "a")));
        var again = Batch(2, ("up", "a"), ("up", "c"));
        Assert.Same(again, stale.Mark(again));
        Assert.False(StaleMarkers.IsStale(double.NaN));
    }
}
