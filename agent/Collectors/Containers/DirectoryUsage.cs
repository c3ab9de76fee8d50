using System.Diagnostics;
using System.IO.Enumeration;
using System.Runtime.InteropServices;

namespace Agent.Collectors.Containers;

/// <summary>
/// Disk space used by directory trees, as cAdvisor's fs.GetDirUsage counts it: allocated
/// 512-byte blocks of every entry (the directories themselves included, symlinks not
/// followed), a file with several hard links once. Read with statx(2), whose layout is the
/// same on every Linux architecture. A walk that outlasts its budget stops and says so, so a
/// huge or slow tree costs a bounded time per measurement.
/// </summary>
public static partial class DirectoryUsage
{
    public enum Outcome
    {
        Complete,
        /// <summary>The walk hit its time budget; the figure is partial and must not be reported.</summary>
        OverBudget,
        /// <summary>The first directory does not exist (the container is gone or its layer is elsewhere).</summary>
        Missing,
        /// <summary>The tree changed under the walk in a way the enumeration could not skip (a directory replaced by a file, say).</summary>
        Unreadable,
    }

    /// <param name="Bytes">Allocated bytes of every tree.</param>
    /// <param name="DeviceMajor">The filesystem of the first tree (the one whose capacity is the limit).</param>
    public readonly record struct Figure(long Bytes, int DeviceMajor, int DeviceMinor);

    private const int AtFdcwd = -100;
    private const int AtSymlinkNofollow = 0x100;
    private const uint StatxNlink = 0x4, StatxIno = 0x100, StatxBlocks = 0x400;
    private const int StatxSize = 256;
    private const int NlinkOffset = 16, InoOffset = 32, BlocksOffset = 48, DevMajorOffset = 136, DevMinorOffset = 140;

    /// <summary>Sums every tree in <paramref name="roots"/>; the roots after the first may be absent.</summary>
    public static Outcome Measure(IReadOnlyList<string> roots, TimeSpan budget, out Figure figure)
    {
        figure = default;
        try
        {
            return Walk(roots, budget, out figure);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Outcome.Unreadable;
        }
    }

    private static Outcome Walk(IReadOnlyList<string> roots, TimeSpan budget, out Figure figure)
    {
        figure = default;
        if (roots.Count == 0 || !TryStat(roots[0], out var first)) return Outcome.Missing;
        var started = Stopwatch.GetTimestamp();
        var linked = new HashSet<ulong>();
        long blocks = 0;
        for (var r = 0; r < roots.Count; r++)
        {
            if (!TryStat(roots[r], out var root)) continue;
            blocks += Count(root, linked);
            var entries = new FileSystemEnumerable<string>(roots[r], (ref FileSystemEntry entry) => entry.ToFullPath(),
                new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })
            {
                // Into real directories only: a symlink to a directory is one entry, as lstat sees it.
                ShouldRecursePredicate = (ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) == 0,
            };
            foreach (var path in entries)
            {
                if (Stopwatch.GetElapsedTime(started) > budget) return Outcome.OverBudget;
                // An entry removed since it was listed simply no longer counts.
                if (TryStat(path, out var stat)) blocks += Count(stat, linked);
            }
        }
        figure = new Figure(blocks * 512, first.Major, first.Minor);
        return Outcome.Complete;
    }

    private readonly record struct Stat(long Blocks, ulong Inode, uint Links, int Major, int Minor);

    private static long Count(Stat stat, HashSet<ulong> linked) => stat.Links > 1 && !linked.Add(stat.Inode) ? 0 : stat.Blocks;

    private static unsafe bool TryStat(string path, out Stat stat)
    {
        var buffer = stackalloc byte[StatxSize];
        if (statx(AtFdcwd, path, AtSymlinkNofollow, StatxNlink | StatxIno | StatxBlocks, buffer) != 0)
        {
            stat = default;
            return false;
        }
        var span = new ReadOnlySpan<byte>(buffer, StatxSize);
        stat = new Stat(
            (long)MemoryMarshal.Read<ulong>(span[BlocksOffset..]),
            MemoryMarshal.Read<ulong>(span[InoOffset..]),
            MemoryMarshal.Read<uint>(span[NlinkOffset..]),
            (int)MemoryMarshal.Read<uint>(span[DevMajorOffset..]),
            (int)MemoryMarshal.Read<uint>(span[DevMinorOffset..]));
        return true;
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
