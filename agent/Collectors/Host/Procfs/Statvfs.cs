using System.Runtime.InteropServices;

namespace Agent.Collectors.Host.Procfs;

/// <summary>statvfs(3) for the filesystem collector. The struct is 11 unsigned longs and six ints on 64-bit Linux.</summary>
public static partial class Statvfs
{
    [StructLayout(LayoutKind.Sequential)]
    public struct Result
    {
        public ulong BlockSize, FragmentSize, Blocks, BlocksFree, BlocksAvailable, Files, FilesFree, FilesAvailable, FsId, Flags, NameMax;
        private ulong _spare0, _spare1, _spare2;
    }

    public static bool TryGet(string path, out Result result, out int errno)
    {
        var ok = statvfs(path, out result) == 0;
        errno = ok ? 0 : Marshal.GetLastPInvokeError();
        return ok;
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int statvfs(string path, out Result buffer);
}
