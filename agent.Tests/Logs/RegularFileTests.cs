using Agent.Logs;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Logs;

/// <summary>The second guard: whatever the path names at the moment of the open, only a regular file stays open.</summary>
public sealed class RegularFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-regular-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_regular_file_opens_as_an_ordinary_synchronous_seekable_stream()
    {
        var path = Path.Combine(_dir, "app.log");
        File.WriteAllText(path, "line\n");
        Assert.True(RegularFile.TryOpen(path, out var file, out _));
        using (file)
        {
            Assert.False(file.IsAsync);
            Assert.True(file.CanSeek);
            Assert.Equal(5, file.Length);
        }
    }

    [Fact]
    public async Task A_fifo_without_a_writer_is_refused_at_once_instead_of_blocking_the_open()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "FIFOs are opened non-blocking on Linux");
        var path = Path.Combine(_dir, "pipe.log");
        SpecialFiles.Fifo(path);
        var (opened, refused) = await Task.Run(() => (RegularFile.TryOpen(path, out _, out var refused), refused)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(opened);
        Assert.Equal(SkipReason.Fifo, refused!.Reason);
    }

    [Theory]
    [InlineData("", SkipReason.Directory, " is a directory")]
    [InlineData("missing.log", SkipReason.UnreadableFile, "(no such file or directory)")]
    public void Anything_else_is_refused_with_a_sentence(string name, SkipReason reason, string says)
    {
        var path = Path.Combine(_dir, name);
        Assert.False(RegularFile.TryOpen(path, out _, out var refused));
        Assert.Equal(reason, refused.Reason);
        Assert.Contains(says, refused.Sentence);
    }

    [Fact]
    public void A_device_is_refused()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "statx is Linux-only");
        Assert.False(RegularFile.TryOpen("/dev/null", out _, out var refused));
        Assert.Equal("device", refused.ReasonLabel);
    }
}
