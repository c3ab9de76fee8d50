using Microsoft.Win32.SafeHandles;

namespace Agent.Collectors.Host.Procfs;

/// <summary>
/// Reads a pseudo-file whole into a buffer that is reused across cycles. /proc reports a size
/// of 0 for most files, so the size is never trusted: read until EOF, growing when full.
/// </summary>
public sealed class ProcFileReader(int initialSize = 16 * 1024)
{
    private byte[] _buffer = new byte[initialSize];

    /// <summary>False when the file is missing, vanished or unreadable: normal for /proc races.</summary>
    public bool TryRead(string path, out ReadOnlySpan<byte> content)
    {
        content = default;
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        using (handle)
        {
            var length = 0;
            try
            {
                while (true)
                {
                    if (length == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
                    var read = RandomAccess.Read(handle, _buffer.AsSpan(length), length);
                    if (read == 0) break;
                    length += read;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
            content = _buffer.AsSpan(0, length);
            return true;
        }
    }
}
