using System.Text;
using Agent.Collectors.Process.Procfs;

namespace Agent.Collectors.Host.Procfs;

/// <summary>
/// The entry names of one directory (/sys/class/net), read with readdir into a reused buffer:
/// a cycle lists its devices without a string or enumerator per entry. Regular files and other
/// non-directories are skipped (bonding_masters sits beside the device links).
/// </summary>
public sealed unsafe class DirectoryNames(string path)
{
    private const byte TypeUnknown = 0, TypeDirectory = 4, TypeLink = 10;

    /// <summary>d_type's offset in struct dirent64: d_ino (8), d_off (8), d_reclen (2).</summary>
    private const int DirentTypeOffset = 18;

    private readonly byte[] _path = Encoding.UTF8.GetBytes(path + "\0");
    private readonly List<(int Start, int Length)> _names = [];
    private byte[] _buffer = new byte[512];

    public int Count => _names.Count;

    public ReadOnlySpan<byte> this[int index] => _buffer.AsSpan(_names[index].Start, _names[index].Length);

    /// <summary>False when the directory cannot be opened (absent on this host).</summary>
    public bool TryRead()
    {
        _names.Clear();
        nint dir;
        fixed (byte* p = _path) dir = ProcfsNative.opendir(p);
        if (dir == 0) return false;
        var used = 0;
        byte* entry;
        while ((entry = ProcfsNative.readdir(dir)) != null)
        {
            var type = entry[DirentTypeOffset];
            if (type is not (TypeDirectory or TypeLink or TypeUnknown)) continue;
            var name = System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpanFromNullTerminated(entry + ProcfsNative.DirentNameOffset);
            if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8)) continue;
            if (used + name.Length > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, used + name.Length));
            name.CopyTo(_buffer.AsSpan(used));
            _names.Add((used, name.Length));
            used += name.Length;
        }
        ProcfsNative.closedir(dir);
        return true;
    }
}
