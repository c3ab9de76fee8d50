using System.Text;
using Agent.Collectors.Process.Procfs;

namespace Agent.Collectors.Host.Procfs;

/// <summary>
/// Reads a pseudo-file whole into a buffer that is reused across cycles. /proc reports a size
/// of 0 for most files, so the size is never trusted: read until EOF, growing when full.
/// open/read/close go straight to libc with the path encoded into a reused buffer: a host
/// cycle reads a few hundred sysfs attributes, and a managed file handle per read was most of
/// the cycle's garbage. Linux only, like every collector that uses it.
/// </summary>
public sealed unsafe class ProcFileReader(int initialSize = 16 * 1024)
{
    private byte[] _buffer = new byte[initialSize];
    private byte[] _path = new byte[256];

    /// <summary>False when the file is missing, vanished or unreadable: normal for /proc races.</summary>
    public bool TryRead(string path, out ReadOnlySpan<byte> content)
    {
        content = default;
        var needed = Encoding.UTF8.GetMaxByteCount(path.Length) + 1;
        if (_path.Length < needed) _path = new byte[needed];
        _path[Encoding.UTF8.GetBytes(path, _path)] = 0;
        int fd;
        fixed (byte* p = _path) fd = ProcfsNative.Open(p);
        if (fd < 0) return false;
        var length = 0;
        try
        {
            while (true)
            {
                if (length == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
                nint read;
                fixed (byte* buffer = _buffer) read = ProcfsNative.read(fd, buffer + length, _buffer.Length - length);
                if (read < 0) return false;
                if (read == 0) break;
                length += (int)read;
            }
        }
        finally
        {
            ProcfsNative.close(fd);
        }
        content = _buffer.AsSpan(0, length);
        return true;
    }
}
