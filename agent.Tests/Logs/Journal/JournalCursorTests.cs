using System.Text;
using Agent.Logs.Journal;
using Xunit;

namespace Agent.Tests.Logs.Journal;

public sealed class JournalCursorTests
{
    private const string Real = "s=b65681b9767f47f0a96ae89701cf40b0;i=a;b=6f1e2d3c4b5a69788796a5b4c3d2e1f0;m=4c7250;t=619d2d6edef40;x=b68cc063e5590040";

    [Theory]
    // As sd_journal_get_cursor writes them (systemd 252, written by journal-remote from the fixture).
    [InlineData(Real, 0x619d2d6edef40UL)]
    [InlineData("s=63a4c3c23e9643f48ae93cdad1c5a94a;i=1;b=0123456789abcdef0123456789abcdef;m=3e8;t=6618c935eb91a;x=d59513972a00d666", 0x6618c935eb91aUL)]
    [InlineData("s=63a4c3c23e9643f48ae93cdad1c5a94a;i=0;b=0123456789abcdef0123456789abcdef;m=0;t=0;x=0", 0UL)]
    [InlineData("s=63a4c3c23e9643f48ae93cdad1c5a94a;i=ffffffffffffffff;b=0123456789abcdef0123456789abcdef;m=1;t=1;x=ffffffffffffffff", 1UL)]
    public void A_cursor_of_the_usual_shape_formats_back_exactly(string text, ulong realtime)
    {
        var cursor = JournalCursor.Parse(Encoding.ASCII.GetBytes(text), default);
        Assert.Equal(text, cursor.ToString());
        Assert.Equal(realtime, cursor.RealtimeUsec);
        Assert.Equal(text, JournalCursor.Parse(text).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a cursor")]
    // Upper-case or zero-padded hex, a missing or extra term, terms out of order: kept verbatim, since it would not format back the same.
    [InlineData("s=B65681B9767F47F0A96AE89701CF40B0;i=a;b=6f1e2d3c4b5a69788796a5b4c3d2e1f0;m=1;t=2;x=3")]
    [InlineData("s=b65681b9767f47f0a96ae89701cf40b0;i=0a;b=6f1e2d3c4b5a69788796a5b4c3d2e1f0;m=1;t=2;x=3")]
    [InlineData("s=b65681b9767f47f0a96ae89701cf40b0;i=a;b=6f1e2d3c4b5a69788796a5b4c3d2e1f0;m=1;t=2")]
    [InlineData("s=b65681b9767f47f0a96ae89701cf40b0;i=a;b=6f1e2d3c4b5a69788796a5b4c3d2e1f0;m=1;t=2;x=3;y=4")]
    [InlineData("i=a;s=b65681b9767f47f0a96ae89701cf40b0;b=6f1e2d3c4b5a69788796a5b4c3d2e1f0;m=1;t=2;x=3")]
    [InlineData("s=b65681b9767f47f0a96ae89701cf40b0;i=;b=6f1e2d3c4b5a69788796a5b4c3d2e1f0;m=1;t=2;x=3")]
    [InlineData("s=b65681b9767f47f0;i=a;b=6f1e2d3c4b5a69788796a5b4c3d2e1f0;m=1;t=2;x=3")]
    [InlineData("s=b65681b9767f47f0a96ae89701cf40b0;i=10000000000000000;b=6f1e2d3c4b5a69788796a5b4c3d2e1f0;m=1;t=2;x=3")]
    public void Any_other_text_is_kept_verbatim_without_a_time(string text)
    {
        var cursor = JournalCursor.Parse(Encoding.UTF8.GetBytes(text), default);
        Assert.Equal(text, cursor.ToString());
        Assert.Null(cursor.RealtimeUsec);
        Assert.Equal(text.Length == 0, cursor.IsEmpty);
    }

    [Fact]
    public void Cursors_of_one_file_and_boot_share_their_id_strings()
    {
        var first = JournalCursor.Parse(Encoding.ASCII.GetBytes(Real), default);
        var next = JournalCursor.Parse(Encoding.ASCII.GetBytes(Real.Replace(";i=a;", ";i=b;")), first);
        Assert.Same(Id(first, 's'), Id(next, 's'));
        Assert.Same(Id(first, 'b'), Id(next, 'b'));
        Assert.Contains(";i=b;", next.ToString());
    }

    [Fact]
    public void The_default_cursor_is_empty()
    {
        Assert.True(default(JournalCursor).IsEmpty);
        Assert.Equal("", default(JournalCursor).ToString());
    }

    /// <summary>The string instance a cursor holds for an id, found through its text.</summary>
    private static string Id(JournalCursor cursor, char key)
    {
        var field = typeof(JournalCursor).GetField(key == 's' ? "_seqnumId" : "_bootId", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        return (string)field.GetValue(cursor)!;
    }
}
