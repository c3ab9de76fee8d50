using System.Text;
using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Containers.Cgroups;

/// <summary>
/// A cgroup filesystem mount from mountinfo. <see cref="Root"/> is the cgroup the mount shows
/// as its top ("/" unless a subtree was mounted, as inside a container's cgroup namespace).
/// </summary>
/// <param name="Controllers">v1 controllers from the super options (cpu, cpuacct, memory, name=systemd...); empty for cgroup2.</param>
public sealed record CgroupMount(string Root, string MountPoint, bool IsV2, string[] Controllers);

/// <summary>
/// /proc/&lt;pid&gt;/mountinfo: "id parent maj:min root mountpoint options [optional...] - fstype source superoptions".
/// Only cgroup and cgroup2 mounts are kept.
/// </summary>
public static class MountinfoParser
{
    public static List<CgroupMount> ParseCgroupMounts(ReadOnlySpan<byte> content)
    {
        var mounts = new List<CgroupMount>();
        foreach (var line in new LineEnumerator(content))
        {
            var fields = new FieldEnumerator(line);
            ReadOnlySpan<byte> root = default, mountPoint = default;
            var i = 0;
            var separator = false;
            while (!separator && fields.MoveNext())
            {
                if (i == 3) root = fields.Current;
                else if (i == 4) mountPoint = fields.Current;
                else if (i >= 6 && fields.Current.SequenceEqual("-"u8)) separator = true;
                i++;
            }
            if (!separator || mountPoint.IsEmpty || !fields.MoveNext()) continue;
            var fsType = fields.Current;
            var isV2 = fsType.SequenceEqual("cgroup2"u8);
            if (!isV2 && !fsType.SequenceEqual("cgroup"u8)) continue;
            if (!fields.MoveNext() || !fields.MoveNext()) continue;
            mounts.Add(new CgroupMount(MountsParser.Unescape(root), MountsParser.Unescape(mountPoint), isV2, isV2 ? [] : Controllers(fields.Current)));
        }
        return mounts;
    }

    private static string[] Controllers(ReadOnlySpan<byte> superOptions)
    {
        var list = new List<string>(2);
        foreach (var range in superOptions.Split((byte)','))
        {
            var option = superOptions[range];
            // Flags like xattr or release_agent= are kept too: only known controller names are ever looked up.
            if (option.SequenceEqual("rw"u8) || option.SequenceEqual("ro"u8)) continue;
            list.Add(Encoding.UTF8.GetString(option));
        }
        return [.. list];
    }
}
