using System.Text;

namespace Agent.Collectors.Host.Procfs;

/// <summary>One line of /proc/*/mounts; paths have the kernel's octal escapes (\040 for space) undone.</summary>
public readonly record struct Mount(string Device, string MountPoint, string FsType, bool ReadOnly);

public static class MountsParser
{
    public static void Parse(ReadOnlySpan<byte> content, List<Mount> into)
    {
        into.Clear();
        foreach (var line in new LineEnumerator(content))
        {
            if (TryParseLine(line, out var mount)) into.Add(mount);
        }
    }

    /// <summary>False for a line with fewer than three fields (device, mount point, type).</summary>
    public static bool TryParseLine(ReadOnlySpan<byte> line, out Mount mount)
    {
        mount = default;
        var fields = new FieldEnumerator(line);
        if (!fields.MoveNext()) return false;
        var device = fields.Current;
        if (!fields.MoveNext()) return false;
        var mountPoint = fields.Current;
        if (!fields.MoveNext()) return false;
        var fsType = fields.Current;
        var readOnly = fields.MoveNext() && HasOption(fields.Current, "ro"u8);
        mount = new Mount(Unescape(device), Unescape(mountPoint), Encoding.UTF8.GetString(fsType), readOnly);
        return true;
    }

    private static bool HasOption(ReadOnlySpan<byte> options, ReadOnlySpan<byte> option)
    {
        foreach (var range in options.Split((byte)','))
        {
            if (options[range].SequenceEqual(option)) return true;
        }
        return false;
    }

    public static string Unescape(ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOf((byte)'\\') < 0) return Encoding.UTF8.GetString(raw);
        var bytes = new byte[raw.Length];
        var n = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == (byte)'\\' && i + 3 < raw.Length
                && IsOctal(raw[i + 1]) && IsOctal(raw[i + 2]) && IsOctal(raw[i + 3]))
            {
                bytes[n++] = (byte)(((raw[i + 1] - '0') << 6) | ((raw[i + 2] - '0') << 3) | (raw[i + 3] - '0'));
                i += 3;
            }
            else
            {
                bytes[n++] = raw[i];
            }
        }
        return Encoding.UTF8.GetString(bytes, 0, n);
    }

    private static bool IsOctal(byte b) => b is >= (byte)'0' and <= (byte)'7';
}
