using System.IO.Enumeration;
using Microsoft.Extensions.FileSystemGlobbing.Abstractions;

namespace Agent.Logs;

/// <summary>
/// One walk of a glob's directory tree, as FileSystemGlobbing sees it. Symlinked directories are
/// followed, but each real directory (device + inode) is listed once per walk, so a link back up
/// the tree ("ln -s . dir/a") ends the descent instead of multiplying it. /proc, /sys and /dev are
/// never entered (their trees are endless or unsafe to read) unless the glob starts inside them.
/// A directory that cannot be listed is noted and left out; the rest of the tree is walked.
/// Cancellation is checked before every directory, so a huge tree cannot hold up shutdown.
/// </summary>
internal sealed class GlobWalk
{
    private static readonly string[] PseudoRoots = ["/proc", "/sys", "/dev"];

    private readonly HashSet<FileIdentity> _listed = [];
    private readonly List<string> _forbidden = [];
    private readonly HashSet<ulong> _forbiddenDevices = [];
    private readonly CancellationToken _ct;

    public GlobWalk(string root, CancellationToken ct)
    {
        _ct = ct;
        Root = new Dir(this, root, Path.GetFileName(root), null);
        if (!OperatingSystem.IsLinux()) return;
        var rootDevice = FileStatus.Of("/").Identity.Device;
        foreach (var pseudo in PseudoRoots)
        {
            if (IsUnder(root, pseudo)) continue;
            _forbidden.Add(pseudo);
            // The device too: a symlink elsewhere can lead into them. Not mounted (a bare
            // container), the directory is part of / and only its path is kept out.
            var device = FileStatus.Of(pseudo).Identity.Device;
            if (device != 0 && device != rootDevice) _forbiddenDevices.Add(device);
        }
    }

    public DirectoryInfoBase Root { get; }

    public List<SkippedPath> Skipped { get; } = [];

    private static bool IsUnder(string path, string dir) =>
        path == dir || (path.StartsWith(dir, StringComparison.Ordinal) && path.Length > dir.Length && path[dir.Length] == '/');

    /// <summary>The entries of one directory, or none when it is a repeat, a pseudo file system or unreadable.</summary>
    private List<FileSystemInfoBase> List(Dir dir)
    {
        _ct.ThrowIfCancellationRequested();
        foreach (var forbidden in _forbidden)
        {
            if (IsUnder(dir.FullName, forbidden)) return [];
        }
        var status = FileStatus.Of(dir.FullName);
        if (status.Kind != FileKind.Directory) return [];
        if (status.Identity.IsKnown && (!_listed.Add(status.Identity) || _forbiddenDevices.Contains(status.Identity.Device))) return [];
        var entries = new List<FileSystemInfoBase>();
        try
        {
            var options = new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0 };
            var listing = new FileSystemEnumerable<FileSystemInfoBase>(dir.FullName,
                (ref FileSystemEntry entry) => entry.IsDirectory
                    ? new Dir(this, entry.ToFullPath(), entry.FileName.ToString(), dir)
                    : new FileEntry(entry.ToFullPath(), entry.FileName.ToString(), dir),
                options);
            foreach (var entry in listing) entries.Add(entry);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Skipped.Add(SkippedPath.UnreadableDirectory(dir.FullName, IoErrorText.Of(e)));
            return [];
        }
        return entries;
    }

    private sealed class Dir(GlobWalk walk, string fullName, string name, Dir? parent) : DirectoryInfoBase
    {
        public override string Name => name;
        public override string FullName => fullName;
        public override DirectoryInfoBase? ParentDirectory => parent;

        public override IEnumerable<FileSystemInfoBase> EnumerateFileSystemInfos() => walk.List(this);

        /// <summary>Asked for ".." only; patterns that climb out of their root are not walked.</summary>
        public override DirectoryInfoBase? GetDirectory(string path) => null;

        public override FileInfoBase? GetFile(string path) => null;
    }

    private sealed class FileEntry(string fullName, string name, Dir parent) : FileInfoBase
    {
        public override string Name => name;
        public override string FullName => fullName;
        public override DirectoryInfoBase ParentDirectory => parent;
    }
}
