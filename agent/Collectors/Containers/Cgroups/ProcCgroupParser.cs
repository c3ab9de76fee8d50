using System.Text;
using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Containers.Cgroups;

/// <summary>
/// /proc/&lt;pid&gt;/cgroup: "hierarchy-id:controllers:path" per line. v1 hierarchies list their
/// controllers ("4:memory:/docker/ID"); the unified hierarchy is "0::/path".
/// </summary>
public static class ProcCgroupParser
{
    /// <summary>The path of the hierarchy holding <paramref name="controller"/>, or of the unified one for "".</summary>
    public static string? PathOf(ReadOnlySpan<byte> content, ReadOnlySpan<byte> controller)
    {
        foreach (var line in new LineEnumerator(content))
        {
            var first = line.IndexOf((byte)':');
            if (first < 0) continue;
            var rest = line[(first + 1)..];
            var second = rest.IndexOf((byte)':');
            if (second < 0) continue;
            var controllers = rest[..second];
            var path = rest[(second + 1)..];
            if (controller.IsEmpty ? controllers.IsEmpty && line[..first].SequenceEqual("0"u8) : Contains(controllers, controller))
            {
                return Encoding.UTF8.GetString(path);
            }
        }
        return null;
    }

    private static bool Contains(ReadOnlySpan<byte> list, ReadOnlySpan<byte> item)
    {
        foreach (var range in list.Split((byte)','))
        {
            if (list[range].SequenceEqual(item)) return true;
        }
        return false;
    }
}
