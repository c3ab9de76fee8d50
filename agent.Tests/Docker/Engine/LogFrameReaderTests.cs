using System.Text;
using Agent.Docker.Engine;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Docker.Engine;

public sealed class LogFrameReaderTests
{
    private static byte[] Frame(byte stream, string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        return [stream, 0, 0, 0, (byte)(payload.Length >> 24), (byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];
    }

    private static async Task<List<(LogOutput Output, string Text)>> ReadAllAsync(LogFrameReader reader, int bufferSize)
    {
        var reads = new List<(LogOutput, string)>();
        var buffer = new byte[bufferSize];
        while (true)
        {
            var (count, output) = await reader.ReadAsync(buffer, TestContext.Current.CancellationToken);
            if (count == 0) return reads;
            reads.Add((output, Encoding.UTF8.GetString(buffer, 0, count)));
        }
    }

    [Fact]
    public async Task A_captured_stream_is_one_stdout_frame()
    {
        using var reader = new LogFrameReader(new MemoryStream(File.ReadAllBytes(Fixtures.Path("docker", "logs-multiplexed.bin"))), multiplexed: true);
        var reads = await ReadAllAsync(reader, 4096);
        var (output, text) = Assert.Single(reads);
        Assert.Equal(LogOutput.Stdout, output);
        Assert.EndsWith("Z hi\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1024)]
    public async Task Reads_never_cross_a_frame_whatever_the_stream_hands_over(int trickle)
    {
        byte[] bytes = [.. Frame(1, "out one\n"), .. Frame(2, "err\n"), .. Frame(1, "out two\n")];
        using var reader = new LogFrameReader(new TrickleStream(bytes, trickle), multiplexed: true);
        var reads = await ReadAllAsync(reader, 5);
        var joined = new List<(LogOutput, string)>();
        foreach (var (output, text) in reads)
        {
            if (joined.Count > 0 && joined[^1].Item1 == output && !joined[^1].Item2.EndsWith('\n')) joined[^1] = (output, joined[^1].Item2 + text);
            else joined.Add((output, text));
        }
        Assert.Equal([(LogOutput.Stdout, "out one\n"), (LogOutput.Stderr, "err\n"), (LogOutput.Stdout, "out two\n")], joined);
        Assert.All(reads, r => Assert.True(r.Text.Length <= 5));
    }

    [Fact]
    public async Task A_tty_stream_is_raw_stdout()
    {
        using var reader = new LogFrameReader(new MemoryStream("2026-12-01T00:00:00Z plain\n"u8.ToArray()), multiplexed: false);
        Assert.Equal([(LogOutput.Stdout, "2026-12-01T00:00:00Z plain\n")], await ReadAllAsync(reader, 4096));
    }

    [Fact]
    public async Task A_stream_cut_inside_a_frame_is_an_error_not_an_end()
    {
        var bytes = Frame(1, "complete line\n")[..10];
        using var reader = new LogFrameReader(new MemoryStream(bytes), multiplexed: true);
        await Assert.ThrowsAsync<EndOfStreamException>(() => ReadAllAsync(reader, 4096));
    }
}
