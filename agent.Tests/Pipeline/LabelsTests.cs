using Agent.Pipeline;
using Xunit;

namespace Agent.Tests.Pipeline;

public sealed class LabelsTests
{
    [Fact]
    public void Merge_keeps_order_and_own_labels_win()
    {
        Label[] own = [new("a", "own"), new("host", "inner"), new("z", "1")];
        Label[] extra = [new("environment", "prod"), new("host", "outer")];
        Assert.Equal(["a=own", "environment=prod", "host=inner", "z=1"], Labels.Merge(own, extra).Select(l => $"{l.Name}={l.Value}"));
        Assert.Same(own, Labels.Merge(own, []));
        Assert.Same(extra, Labels.Merge([], extra));
    }

    [Fact]
    public void Sorted_orders_ordinally_and_a_later_duplicate_wins()
    {
        var sorted = Labels.Sorted([new("b", "1"), new("B", "2"), new("a", "3"), new("b", "4")]);
        Assert.Equal(["B=2", "a=3", "b=4"], sorted.Select(l => $"{l.Name}={l.Value}"));
    }

    [Fact]
    public void Selector_escapes_quotes_backslashes_and_newlines()
    {
        var stream = new LogStream([new("a", "x\"y\\z\nw"), new("b", "2")]);
        Assert.Equal("{a=\"x\\\"y\\\\z\\nw\", b=\"2\"}", stream.Selector);
    }
}
