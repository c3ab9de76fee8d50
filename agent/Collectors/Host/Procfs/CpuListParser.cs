using System.Buffers.Text;

namespace Agent.Collectors.Host.Procfs;

/// <summary>Parses the kernel's cpu list format ("0-3,8,10-11\n"), as in /sys/devices/system/cpu/isolated.</summary>
public static class CpuListParser
{
    /// <summary>Clears <paramref name="into"/> and adds every listed cpu id; an empty list is valid.</summary>
    public static bool TryParse(ReadOnlySpan<byte> content, List<int> into)
    {
        into.Clear();
        content = content.Trim(" \t\r\n"u8);
        while (!content.IsEmpty)
        {
            var comma = content.IndexOf((byte)',');
            var item = comma < 0 ? content : content[..comma];
            content = comma < 0 ? default : content[(comma + 1)..];
            if (item.IsEmpty) continue;

            var dash = item.IndexOf((byte)'-');
            if (dash < 0)
            {
                if (!TryParseId(item, out var cpu)) return false;
                into.Add(cpu);
                continue;
            }
            if (!TryParseId(item[..dash], out var first) || !TryParseId(item[(dash + 1)..], out var last) || last < first)
            {
                return false;
            }
            for (var cpu = first; cpu <= last; cpu++) into.Add(cpu);
        }
        return true;
    }

    private static bool TryParseId(ReadOnlySpan<byte> text, out int id) =>
        Utf8Parser.TryParse(text, out id, out var consumed) && consumed == text.Length && id >= 0;
}
