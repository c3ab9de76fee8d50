using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Agent.Logs;

/// <summary>
/// Opens a log file for reading only when it is a regular file. The caller has already looked
/// at the path's type; this is the second guard against a path replaced in between: open with
/// O_NONBLOCK (a FIFO without a writer cannot block the open), then look at what was opened.
/// Anything that is not a regular file is closed again at once.
/// </summary>
public static partial class RegularFile
{
    private const int ORdonly = 0, ONoctty = 0x100, ONonblock = 0x800, OCloexec = 0x80000;

    public static bool TryOpen(string path, [NotNullWhen(true)] out FileStream? file, [NotNullWhen(false)] out SkippedPath? refused)
    {
        file = null;
        if (!OperatingSystem.IsLinux()) return TryOpenPortable(path, out file, out refused);
        var fd = NativeMethods.open(path, ORdonly | ONonblock | ONoctty | OCloexec);
        if (fd < 0)
        {
            refused = SkippedPath.UnreadableFile(path, IoErrorText.Of(Marshal.GetLastPInvokeError()));
            return false;
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        var status = FileStatus.Of(handle);
        if (status.Kind != FileKind.Regular)
        {
            handle.Dispose();
            refused = SkippedPath.ForKind(path, status.Kind) ?? SkippedPath.UnreadableFile(path, IoErrorText.Of(status.Errno));
            return false;
        }
        file = new FileStream(handle, FileAccess.Read, 1);
        refused = null;
        return true;
    }

    private static bool TryOpenPortable(string path, [NotNullWhen(true)] out FileStream? file, [NotNullWhen(false)] out SkippedPath? refused)
    {
        file = null;
        if (Directory.Exists(path))
        {
            refused = SkippedPath.ForKind(path, FileKind.Directory)!;
            return false;
        }
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
            refused = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            refused = SkippedPath.UnreadableFile(path, IoErrorText.Of(e));
            return false;
        }
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int open(string path, int flags);
    }
}
