using System.Runtime.InteropServices;

namespace Agent.Collectors.Process.Procfs;

/// <summary>
/// The libc calls behind <see cref="PidFiles"/> and the container collector's kept files:
/// open/read/pread/close and opendir/readdir take a
/// NUL-terminated path from a reused buffer, so walking /proc allocates no string or handle
/// object per file. 64-bit Linux only (the dirent64 layout below).
/// </summary>
internal static unsafe partial class ProcfsNative
{
    private const int OpenReadOnlyCloseOnExec = 0x80000;

    /// <summary>d_name's offset in struct dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1).</summary>
    public const int DirentNameOffset = 19;

    public static int Open(byte* path) => open(path, OpenReadOnlyCloseOnExec);

    [LibraryImport("libc")]
    private static partial int open(byte* path, int flags);

    [LibraryImport("libc")]
    public static partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc")]
    public static partial int close(int fd);

    [LibraryImport("libc")]
    public static partial nint pread(int fd, byte* buffer, nint count, long offset);

    private const int RlimitNofile = 7;

    /// <summary>The soft limit on open descriptors, or -1 when it cannot be read.</summary>
    public static long OpenFilesLimit()
    {
        var limits = stackalloc ulong[2];
        return getrlimit(RlimitNofile, limits) == 0 ? (long)Math.Min(limits[0], long.MaxValue) : -1;
    }

    [LibraryImport("libc")]
    private static partial int getrlimit(int resource, ulong* limits);

    [LibraryImport("libc")]
    public static partial nint opendir(byte* path);

    [LibraryImport("libc")]
    public static partial byte* readdir(nint dir);

    [LibraryImport("libc")]
    public static partial int closedir(nint dir);
}
