using Agent.Logs;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Logs;

/// <summary>What a glob offers for tailing on a hostile tree: only regular files, each real directory walked once.</summary>
public sealed class FileGlobTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-glob-").FullName;
    private readonly SpecialFiles _special = new();

    public void Dispose()
    {
        _special.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string At(string relative) => Path.Combine(_dir, relative);

    private static string[] Names(IEnumerable<string> paths, string root) => [.. paths.Select(p => Path.GetRelativePath(root, p)).Order(StringComparer.Ordinal)];

    [Fact]
    public void Fifos_sockets_and_devices_are_skipped_with_their_reason_and_regular_files_kept()
    {
        File.WriteAllText(At("app.log"), "x\n");
        File.CreateSymbolicLink(At("link-to-app.log"), "app.log");
        SpecialFiles.Fifo(At("quiet.log"));
        _special.FifoWithWriter(At("busy.log"));
        _special.Socket(At("sock.log"));
        File.CreateSymbolicLink(At("null.log"), "/dev/null");
        File.CreateSymbolicLink(At("dangling.log"), "nowhere");
        Directory.CreateDirectory(At("dir.log"));

        var scan = new FileGlob(At("*.log"), []).Scan();

        Assert.Equal(["app.log", "link-to-app.log"], Names(scan.Files.Select(f => f.Path), _dir));
        Assert.Equal(scan.Files[0].Identity, scan.Files[1].Identity);
        var skipped = scan.Skipped.OrderBy(s => s.Path, StringComparer.Ordinal).Select(s => (Path.GetFileName(s.Path), s.ReasonLabel));
        Assert.Equal([("busy.log", "fifo"), ("null.log", "device"), ("quiet.log", "fifo"), ("sock.log", "socket")], skipped);
        Assert.Equal($"{At("quiet.log")} is a FIFO (named pipe), not a regular file: not tailed, since reading it would block or never end",
            scan.Skipped.Single(s => s.Path.EndsWith("quiet.log")).Sentence);
    }

    [Fact]
    public void A_directory_named_by_a_literal_path_is_skipped_as_a_directory()
    {
        Directory.CreateDirectory(At("nginx"));
        var scan = new FileGlob(At("nginx"), []).Scan();
        Assert.Empty(scan.Files);
        Assert.Equal(SkipReason.Directory, Assert.Single(scan.Skipped).Reason);
    }

    [Fact]
    public void Symlink_loops_at_several_depths_walk_each_real_directory_once()
    {
        SpecialFiles.SymlinkLoops(_dir);
        File.WriteAllText(At("top.log"), "x\n");
        File.WriteAllText(At("sub/one.log"), "x\n");
        File.WriteAllText(At("sub/deeper/deepest/three.log"), "x\n");
        var elsewhere = Directory.CreateTempSubdirectory("agent-glob-target-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(elsewhere, "linked.log"), "x\n");
            File.CreateSymbolicLink(At("sub/linked-dir"), elsewhere);

            var scan = new FileGlob(At("**/*.log"), []).Scan();

            Assert.Equal(["sub/deeper/deepest/three.log", "sub/linked-dir/linked.log", "sub/one.log", "top.log"],
                Names(scan.Files.Select(f => f.Path), _dir));
            // The link naming itself cannot be resolved: reported as unreadable, not followed.
            var loop = Assert.Single(scan.Skipped);
            Assert.Equal(SkipReason.UnreadableFile, loop.Reason);
            Assert.Contains("too many levels of symbolic links", loop.Sentence);
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Fact]
    public void Links_into_proc_sys_and_dev_are_not_followed()
    {
        File.CreateSymbolicLink(At("p"), "/proc");
        File.CreateSymbolicLink(At("s"), "/sys/kernel");
        File.CreateSymbolicLink(At("d"), "/dev");
        File.CreateSymbolicLink(At("self"), "/proc/self");
        File.WriteAllText(At("real"), "x\n");
        var scan = new FileGlob(At("**/*"), []).Scan();
        Assert.Equal(["real"], Names(scan.Files.Select(f => f.Path), _dir));
        Assert.Empty(scan.Skipped);
    }

    [Theory]
    [InlineData("/pro*/**/status")]
    [InlineData("/sy*/**/uevent")]
    [InlineData("/de*/**/*")]
    public void A_glob_from_the_root_never_enters_proc_sys_or_dev(string pattern)
    {
        var scan = new FileGlob(pattern, []).Scan();
        Assert.Empty(scan.Files);
        Assert.Empty(scan.Skipped);
    }

    [Fact]
    public void A_glob_rooted_inside_dev_is_honoured_as_written()
    {
        var scan = new FileGlob("/dev/null", []).Scan();
        Assert.Empty(scan.Files);
        Assert.Equal(SkipReason.Device, Assert.Single(scan.Skipped).Reason);
    }

    [Fact]
    public void A_scan_of_the_whole_file_system_stops_when_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => new FileGlob("/**", []).Scan(cancelled.Token));
    }
}
