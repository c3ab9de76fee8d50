using System.Text;
using Agent.Logs.Journal;
using Xunit;

namespace Agent.Tests.Logs.Journal;

public sealed class PendingCursorsTests
{
    private static JournalCursor Cursor(int i) =>
        JournalCursor.Parse(Encoding.ASCII.GetBytes($"s=63a4c3c23e9643f48ae93cdad1c5a94a;i={i:x};b=0123456789abcdef0123456789abcdef;m=1;t=1;x=1"), default);

    private static string Seq(JournalCursor cursor) => cursor.ToString().Split(';')[1];

    [Fact]
    public void In_order_acknowledgements_move_the_position_each_time()
    {
        var pending = new PendingCursors();
        var seqs = Enumerable.Range(1, 3).Select(i => pending.Add(Cursor(i))).ToList();
        Assert.Equal([0L, 1, 2], seqs);
        Assert.True(pending.Settle(0, out var committed));
        Assert.Equal("i=1", Seq(committed));
        Assert.True(pending.Settle(1, out committed));
        Assert.Equal("i=2", Seq(committed));
        Assert.Equal(1, pending.Count);
    }

    [Fact]
    public void An_early_acknowledgement_waits_for_those_before_it()
    {
        var pending = new PendingCursors();
        for (var i = 1; i <= 4; i++) pending.Add(Cursor(i));
        Assert.False(pending.Settle(2, out _));
        Assert.False(pending.Settle(1, out _));
        Assert.True(pending.Settle(0, out var committed));
        Assert.Equal("i=3", Seq(committed));
        Assert.True(pending.Settle(3, out committed));
        Assert.Equal("i=4", Seq(committed));
        Assert.Equal(0, pending.Count);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    public void Unknown_or_repeated_sequence_numbers_change_nothing(long seq)
    {
        var pending = new PendingCursors();
        pending.Add(Cursor(1));
        Assert.False(pending.Settle(seq, out _));
        Assert.True(pending.Settle(0, out _));
        Assert.False(pending.Settle(0, out _));
    }

    [Fact]
    public void The_ring_grows_past_its_first_size_and_keeps_order_across_the_wrap()
    {
        var pending = new PendingCursors();
        for (var i = 0; i < 1000; i++) pending.Add(Cursor(i));
        for (var i = 0; i < 900; i++) Assert.True(pending.Settle(i, out _));
        // Wrapped: the next 2,000 start near the end of the 1,024 slots and force a grow mid-ring.
        for (var i = 1000; i < 3000; i++) Assert.Equal(i, pending.Add(Cursor(i)));
        for (var i = 2999; i > 900; i--) Assert.False(pending.Settle(i, out _));
        Assert.True(pending.Settle(900, out var committed));
        Assert.Equal($"i={2999:x}", Seq(committed));
        Assert.Equal(0, pending.Count);
    }
}
