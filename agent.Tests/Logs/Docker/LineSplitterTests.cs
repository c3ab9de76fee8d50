using System.Text;
using Agent.Logs;
using Agent.Logs.Docker;
using Xunit;

namespace Agent.Tests.Logs.Docker;

public sealed class LineSplitterTests
{
    private static List<(string Line, bool Cut)> Split(int keep, params string[] frames)
    {
        var splitter = new LineSplitter(keep);
        var lines = new List<(string, bool)>();
        foreach (var frame in frames) splitter.Feed(Encoding.UTF8.GetBytes(frame), (line, cut) => lines.Add((Encoding.UTF8.GetString(line), cut)));
        return lines;
    }

    [Fact]
    public void Several_lines_in_one_frame()
    {
        Assert.Equal([("a 1", false), ("a 2", false), ("a 3", false)], Split(100, "a 1\na 2\na 3\n"));
    }

    [Fact]
    public void A_line_across_frame_boundaries_waits_for_its_newline()
    {
        var splitter = new LineSplitter(100);
        var lines = new List<string>();
        LineHandler collect = (line, _) => lines.Add(Encoding.UTF8.GetString(line));
        splitter.Feed("one\ntw"u8, collect);
        Assert.Equal(["one"], lines);
        Assert.Equal(2, splitter.Pending);
        splitter.Feed("o and"u8, collect);
        splitter.Feed(" more\nthree\n"u8, collect);
        Assert.Equal(["one", "two and more", "three"], lines);
        Assert.Equal(0, splitter.Pending);
    }

    [Fact]
    public void Crlf_keeps_the_cr_for_the_cut_to_remove_even_when_split_between_frames()
    {
        var lines = Split(100, "x 1\r", "\nx 2\r\n");
        Assert.Equal([("x 1\r", false), ("x 2\r", false)], lines);
        Assert.Equal("x 1", Encoding.UTF8.GetString(LineText.Cut(Encoding.UTF8.GetBytes(lines[0].Line), false, 1024)));
    }

    [Fact]
    public void A_long_line_keeps_its_start_and_is_marked_cut_across_frames()
    {
        var lines = Split(8, "0123", "456789ab", "cdef\nnext\n");
        Assert.Equal([("01234567", true), ("next", false)], lines);
    }

    [Fact]
    public void Empty_lines_are_lines()
    {
        Assert.Equal([("", false), ("", false), ("z", false)], Split(10, "\n", "\nz\n"));
    }

    [Fact]
    public void Flush_hands_over_an_unfinished_line_once()
    {
        var splitter = new LineSplitter(100);
        var lines = new List<string>();
        LineHandler collect = (line, _) => lines.Add(Encoding.UTF8.GetString(line));
        splitter.Feed("done\nhalf"u8, collect);
        splitter.Flush(collect);
        splitter.Flush(collect);
        Assert.Equal(["done", "half"], lines);
    }
}
