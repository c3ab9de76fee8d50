using System.Text;
using Agent.Logs;
using Xunit;

namespace Agent.Tests.Logs;

public sealed class LineTextTests
{
    [Fact]
    public void A_complete_line_loses_only_a_trailing_carriage_return()
    {
        Assert.Equal("a\rb", Encoding.UTF8.GetString(LineText.Cut("a\rb\r"u8, truncated: false, 1024)));
        Assert.Equal("", Encoding.UTF8.GetString(LineText.Cut("\r"u8, truncated: false, 1024)));
    }

    [Fact]
    public void A_cut_line_leaves_room_for_the_marker_within_the_limit()
    {
        var raw = Encoding.UTF8.GetBytes(new string('x', 2000));
        var line = LineText.ValidUtf8(LineText.Cut(raw, truncated: true, 1024), truncated: true);
        Assert.Equal(1024, line.Length);
        Assert.EndsWith(LineText.TruncatedMarker, Encoding.UTF8.GetString(line));
    }

    [Fact]
    public void A_cut_through_a_character_and_invalid_bytes_become_replacement_characters()
    {
        Assert.Equal("é\uFFFD", Encoding.UTF8.GetString(LineText.ValidUtf8([0xC3, 0xA9, 0xC3], truncated: false)));
        var valid = "plain"u8.ToArray();
        Assert.Equal(valid, LineText.ValidUtf8(valid, truncated: false));
    }
}
