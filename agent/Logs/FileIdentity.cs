using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Agent.Logs;

/// <summary>
/// A file's identity: device and inode, so a renamed file is still the same file and a new
/// file at an old path is a different one. Read with statx(2), whose struct layout is the same
/// on every Linux architecture (unlike stat's). Elsewhere the identity is empty and the
/// fingerprint of the first bytes does the job alone.
/// </summary>
public readonly partial record struct FileIdentity(ulong Device, ulong Inode)
{
    public bool IsKnown => Inode != 0;

    public override string ToString() => $"{Device}:{Inode}";

    public static FileIdentity Of(string path)
    {
        if (!OperatingSystem.IsLinux()) return default;
        return Statx(AtFdcwd, path, 0, out var identity) ? identity : default;
    }

    public static FileIdentity Of(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux()) return default;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Statx((int)handle.DangerousGetHandle(), "", AtEmptyPath, out var identity) ? identity : default;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    private const int AtFdcwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxIno = 0x100;
    private const int StatxSize = 256;
    private const int InoOffset = 32, DevMajorOffset = 136, DevMinorOffset = 140;

    private static unsafe bool Statx(int dirfd, string path, int flags, out FileIdentity identity)
    {
        identity = default;
        var buffer = stackalloc byte[StatxSize];
        if (NativeMethods.statx(dirfd, path, flags, StatxIno, buffer) != 0) return false;
        var span = new ReadOnlySpan<byte>(buffer, StatxSize);
        var ino = MemoryMarshal.Read<ulong>(span[InoOffset..]);
        var major = MemoryMarshal.Read<uint>(span[DevMajorOffset..]);
        var minor = MemoryMarshal.Read<uint>(span[DevMinorOffset..]);
        identity = new FileIdentity(((ulong)major << 32) | minor, ino);
        return true;
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);
    }
}
