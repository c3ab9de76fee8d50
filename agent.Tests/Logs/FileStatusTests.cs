using Agent.Logs;
using Xunit;

namespace Agent.Tests.Logs;

public sealed class FileStatusTests
{
    [Theory]
    [InlineData(0x81A4, FileKind.Regular)]
    [InlineData(0x41ED, FileKind.Directory)]
    [InlineData(0x11A4, FileKind.Fifo)]
    [InlineData(0xC1ED, FileKind.Socket)]
    [InlineData(0x21B6, FileKind.CharacterDevice)]
    [InlineData(0x61B0, FileKind.BlockDevice)]
    [InlineData(0xA1FF, FileKind.Unknown)]
    [InlineData(0x0000, FileKind.Unknown)]
    public void Mode_bits_name_the_file_type(int mode, FileKind kind) => Assert.Equal(kind, FileStatus.KindOf(mode));

    [Fact]
    public void Paths_are_followed_to_what_they_name()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "statx is Linux-only");
        Assert.Equal(FileKind.CharacterDevice, FileStatus.Of("/dev/null").Kind);
        Assert.Equal(FileKind.Directory, FileStatus.Of("/").Kind);
        var missing = FileStatus.Of("/nonexistent/agent-test");
        Assert.False(missing.Exists);
        Assert.Equal(2, missing.Errno);
        Assert.True(FileStatus.Of("/").Identity.IsKnown);
    }

    [Theory]
    [InlineData(2, "no such file or directory")]
    [InlineData(13, "permission denied")]
    [InlineData(40, "too many levels of symbolic links")]
    public void Errors_are_the_systems_own_words(int errno, string text)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "errno numbers are Linux's");
        Assert.Equal(text, IoErrorText.Of(errno));
    }

    [Fact]
    public void Exceptions_become_sentences_not_resource_keys()
    {
        Assert.Equal("permission denied", IoErrorText.Of(new UnauthorizedAccessException("UnauthorizedAccess_IODenied_Path")));
        Assert.Equal("no such file or directory", IoErrorText.Of(new DirectoryNotFoundException("IO_PathNotFound_Path")));
    }
}
