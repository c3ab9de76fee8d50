using System.Text;

namespace Agent.Collectors.Process.Procfs;

/// <summary>
/// Reads /proc/[pid]/... and /proc/[pid]/task/[tid]/... into one buffer reused across files and
/// cycles, builds their paths in another, and lists or counts directories, all without
/// allocating. A missing or unreadable file is false: processes vanish between listing and
/// reading, and some files are readable only by their owner.
/// </summary>
public sealed unsafe class PidFiles
{
    private readonly byte[] _root;
    private byte[] _path = new byte[256];
    private byte[] _buffer = new byte[4096];

    public PidFiles(string procRoot)
    {
        _root = Encoding.UTF8.GetBytes(procRoot.TrimEnd('/'));
    }

    /// <summary>The numeric entries of the proc root (the pids), in directory order.</summary>
    public bool TryListPids(List<int> into)
    {
        Path(0, 0, default);
        return TryList(into);
    }

    /// <summary>The thread ids of task/ of one process.</summary>
    public bool TryListThreads(int pid, List<int> into)
    {
        Path(pid, 0, "task"u8);
        return TryList(into);
    }

    public bool TryRead(int pid, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> content)
    {
        Path(pid, 0, name);
        return TryReadPath(out content);
    }

    public bool TryReadThread(int pid, int tid, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> content)
    {
        Path(pid, tid, name);
        return TryReadPath(out content);
    }

    /// <summary>Entries of /proc/[pid]/[name] other than . and .. (open descriptors for "fd"); -1 when unreadable.</summary>
    public int CountEntries(int pid, ReadOnlySpan<byte> name)
    {
        Path(pid, 0, name);
        fixed (byte* path = _path)
        {
            var dir = ProcfsNative.opendir(path);
            if (dir == 0) return -1;
            var count = 0;
            byte* entry;
            while ((entry = ProcfsNative.readdir(dir)) != null)
            {
                var d = entry + ProcfsNative.DirentNameOffset;
                if (d[0] == '.' && (d[1] == 0 || (d[1] == '.' && d[2] == 0))) continue;
                count++;
            }
            ProcfsNative.closedir(dir);
            return count;
        }
    }

    private bool TryList(List<int> into)
    {
        into.Clear();
        fixed (byte* path = _path)
        {
            var dir = ProcfsNative.opendir(path);
            if (dir == 0) return false;
            byte* entry;
            while ((entry = ProcfsNative.readdir(dir)) != null)
            {
                var d = entry + ProcfsNative.DirentNameOffset;
                var value = 0;
                var i = 0;
                for (; d[i] != 0; i++)
                {
                    if (d[i] < '0' || d[i] > '9' || i > 9) { value = -1; break; }
                    value = value * 10 + (d[i] - '0');
                }
                if (i > 0 && value > 0) into.Add(value);
            }
            ProcfsNative.closedir(dir);
            return true;
        }
    }

    private bool TryReadPath(out ReadOnlySpan<byte> content)
    {
        content = default;
        int fd;
        fixed (byte* path = _path) fd = ProcfsNative.Open(path);
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
                length += (int)read;
                // The kernel formats a /proc/[pid] file whole on the first read: a read that
                // leaves room in the buffer got everything, and the usual read of 0 bytes
                // to see EOF would be one more syscall per file.
                if (read == 0 || length < _buffer.Length) break;
            }
        }
        finally
        {
            ProcfsNative.close(fd);
        }
        content = _buffer.AsSpan(0, length);
        return true;
    }

    /// <summary>root[/pid[/task/tid]][/name], NUL-terminated, into the path buffer.</summary>
    private void Path(int pid, int tid, ReadOnlySpan<byte> name)
    {
        var needed = _root.Length + name.Length + 40;
        if (_path.Length < needed) _path = new byte[needed * 2];
        var span = _path.AsSpan();
        _root.CopyTo(span);
        var at = _root.Length;
        if (pid > 0) at = AppendNumber(span, at, pid);
        if (tid > 0)
        {
            "/task"u8.CopyTo(span[at..]);
            at = AppendNumber(span, at + 5, tid);
        }
        if (!name.IsEmpty)
        {
            span[at++] = (byte)'/';
            name.CopyTo(span[at..]);
            at += name.Length;
        }
        span[at] = 0;
    }

    private static int AppendNumber(Span<byte> span, int at, int value)
    {
        span[at++] = (byte)'/';
        System.Buffers.Text.Utf8Formatter.TryFormat(value, span[at..], out var written);
        return at + written;
    }
}
