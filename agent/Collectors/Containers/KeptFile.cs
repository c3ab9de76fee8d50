using System.Text;

namespace Agent.Collectors.Containers;

/// <summary>
/// One cgroup or /proc file a container's series are read from every cycle: its path, encoded
/// once for libc, and the descriptor kept open between cycles (see <see cref="KeptFileReader"/>).
/// </summary>
public sealed class KeptFile(string path)
{
    /// <summary>NUL-terminated UTF-8.</summary>
    public byte[] Path { get; } = Encode(path);

    /// <summary>-1 while not open.</summary>
    internal int Descriptor { get; set; } = -1;

    public override string ToString() => Encoding.UTF8.GetString(Path.AsSpan(0, Path.Length - 1));

    private static byte[] Encode(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }
}
