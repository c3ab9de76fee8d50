using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Agent.Logs;

/// <summary>What a path is before anything opens it: a FIFO, socket or device blocks or never ends, so only regular files are tailed.</summary>
public enum FileKind
{
    /// <summary>stat failed (see <see cref="FileStatus.Errno"/>), or not Linux and the path does not exist.</summary>
    Unknown,
    Regular,
    Directory,
    Fifo,
    Socket,
    CharacterDevice,
    BlockDevice,
}

/// <summary>
/// Type and identity of a path or an open handle, read with statx(2), whose struct layout is the
/// same on every Linux architecture (unlike stat's). Paths are followed through symlinks, so a
/// link to /dev/null is a device. Elsewhere only regular files and directories are told apart.
/// </summary>
public readonly partial record struct FileStatus(FileKind Kind, FileIdentity Identity, int Errno)
{
    public bool Exists => Kind != FileKind.Unknown;

    public static FileStatus Of(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            if (Directory.Exists(path)) return new FileStatus(FileKind.Directory, default, 0);
            return File.Exists(path) ? new FileStatus(FileKind.Regular, default, 0) : default;
        }
        return Statx(AtFdcwd, path, 0);
    }

    public static FileStatus Of(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux()) return new FileStatus(FileKind.Regular, default, 0);
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Statx((int)handle.DangerousGetHandle(), "", AtEmptyPath);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    private const int AtFdcwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1, StatxIno = 0x100;
    private const int StatxSize = 256;
    private const int ModeOffset = 28, InoOffset = 32, DevMajorOffset = 136, DevMinorOffset = 140;

    private static unsafe FileStatus Statx(int dirfd, string path, int flags)
    {
        var buffer = stackalloc byte[StatxSize];
        if (NativeMethods.statx(dirfd, path, flags, StatxType | StatxIno, buffer) != 0)
        {
            return new FileStatus(FileKind.Unknown, default, Marshal.GetLastPInvokeError());
        }
        var span = new ReadOnlySpan<byte>(buffer, StatxSize);
        var mode = MemoryMarshal.Read<ushort>(span[ModeOffset..]);
        var ino = MemoryMarshal.Read<ulong>(span[InoOffset..]);
        var major = MemoryMarshal.Read<uint>(span[DevMajorOffset..]);
        var minor = MemoryMarshal.Read<uint>(span[DevMinorOffset..]);
        return new FileStatus(KindOf(mode), new FileIdentity(((ulong)major << 32) | minor, ino), 0);
    }

    /// <summary>The S_IFMT bits of st_mode (the same values on every Linux architecture).</summary>
    internal static FileKind KindOf(int mode) => (mode & 0xF000) switch
    {
        0x8000 => FileKind.Regular,
        0x4000 => FileKind.Directory,
        0x1000 => FileKind.Fifo,
        0xC000 => FileKind.Socket,
        0x2000 => FileKind.CharacterDevice,
        0x6000 => FileKind.BlockDevice,
        _ => FileKind.Unknown,
    };

    private static partial class NativeMethods
    {
        [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);
    }
}
