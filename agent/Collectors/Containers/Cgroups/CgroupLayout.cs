using System.Diagnostics.CodeAnalysis;
using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Containers.Cgroups;

public enum CgroupVersion
{
    /// <summary>Per-controller hierarchies (a cgroup2 mount beside them, as on hybrid hosts, is ignored).</summary>
    V1,
    /// <summary>One unified hierarchy.</summary>
    V2,
}

/// <summary>
/// Where this host's cgroup hierarchies are, discovered from mountinfo, and how to find one
/// container's cgroup in them. Mount points are re-rooted so the agent can run in a container
/// with the host's /sys at /host/sys: a mount point under /sys/fs/cgroup moves under the cgroup
/// root ([containers] cgroup_root, default [host] sys_path + /fs/cgroup), another under /sys
/// moves under [host] sys_path; one already elsewhere (a bind mount seen from inside the
/// agent's container) is used as it is.
/// </summary>
public sealed class CgroupLayout
{
    /// <summary>The controllers the collector reads on v1.</summary>
    private static readonly string[] V1Controllers = ["cpu", "cpuacct", "memory", "blkio", "pids"];

    private readonly Dictionary<string, CgroupMount> _v1;
    private readonly CgroupMount? _unified;
    private readonly string _proc;

    private CgroupLayout(CgroupVersion version, Dictionary<string, CgroupMount> v1, CgroupMount? unified, string proc)
    {
        Version = version;
        _v1 = v1;
        _unified = unified;
        _proc = proc;
    }

    public CgroupVersion Version { get; }

    /// <summary>Null when mountinfo is unreadable or shows no cgroup filesystem (not Linux, no cgroups).</summary>
    public static CgroupLayout? Discover(HostPaths paths, string cgroupRoot)
    {
        if (!new ProcFileReader(8 * 1024).TryRead(paths.ProcFile("self/mountinfo"), out var content)) return null;
        return FromMounts(MountinfoParser.ParseCgroupMounts(content), paths, cgroupRoot);
    }

    internal static CgroupLayout? FromMounts(List<CgroupMount> mounts, HostPaths paths, string cgroupRoot)
    {
        var root = cgroupRoot.Length > 0 ? cgroupRoot : Path.Combine(paths.Sys, "fs", "cgroup");
        var v1 = new Dictionary<string, CgroupMount>(StringComparer.Ordinal);
        CgroupMount? unified = null;
        foreach (var raw in mounts)
        {
            var mount = raw with { MountPoint = Reroot(raw.MountPoint, root, paths.Sys) };
            if (mount.IsV2)
            {
                if (unified is null || Better(mount, unified)) unified = mount;
                continue;
            }
            foreach (var controller in mount.Controllers)
            {
                if (Array.IndexOf(V1Controllers, controller) < 0) continue;
                if (!v1.TryGetValue(controller, out var seen) || Better(mount, seen)) v1[controller] = mount;
            }
        }
        if (v1.Count > 0) return new CgroupLayout(CgroupVersion.V1, v1, null, paths.Proc);
        return unified is null ? null : new CgroupLayout(CgroupVersion.V2, v1, unified, paths.Proc);
    }

    /// <summary>A mount of the whole hierarchy beats a subtree (a cgroup-namespaced view) of it.</summary>
    private static bool Better(CgroupMount candidate, CgroupMount current) => candidate.Root == "/" && current.Root != "/";

    internal static string Reroot(string mountPoint, string cgroupRoot, string sysPath)
    {
        if (Under(mountPoint, "/sys/fs/cgroup", out var rest)) return cgroupRoot + rest;
        if (Under(mountPoint, "/sys", out rest)) return sysPath + rest;
        return mountPoint;
    }

    private static bool Under(string path, string prefix, out string rest)
    {
        rest = "";
        if (!path.StartsWith(prefix, StringComparison.Ordinal)) return false;
        if (path.Length == prefix.Length) return true;
        if (path[prefix.Length] != '/') return false;
        rest = path[prefix.Length..];
        return true;
    }

    /// <summary>
    /// The container's cgroup: first from /proc/PID/cgroup of its init process (right for any
    /// driver or parent), else by the Docker drivers' naming (cgroupfs /docker/ID, systemd
    /// /system.slice/docker-ID.scope). False when neither exists (the container is gone).
    /// </summary>
    public bool TryResolve(string id, int pid, ProcFileReader reader, [NotNullWhen(true)] out ContainerCgroup? cgroup)
    {
        var primary = Version == CgroupVersion.V2 ? _unified! : PrimaryV1();
        string? fromProc = null;
        if (pid > 0 && reader.TryRead(Path.Combine(_proc, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "cgroup"), out var content))
        {
            var path = ProcCgroupParser.PathOf(content, Version == CgroupVersion.V2 ? default : System.Text.Encoding.ASCII.GetBytes(PrimaryController()));
            // "/.." means the agent reads from inside another cgroup namespace: the path is not
            // relative to the hierarchy root, so the driver patterns are the better guess.
            if (path is not null && !path.Contains("/..", StringComparison.Ordinal) && Directory.Exists(Dir(primary, path))) fromProc = path;
        }
        var name = fromProc ?? Array.Find([$"/docker/{id}", $"/system.slice/docker-{id}.scope"], p => Directory.Exists(Dir(primary, p)));
        if (name is null)
        {
            cgroup = null;
            return false;
        }
        cgroup = Version == CgroupVersion.V2
            ? new ContainerCgroup(name, null, new CgroupV2Files(Dir(_unified!, name)))
            : new ContainerCgroup(name, new CgroupV1Files(V1Dir("cpu", name), V1Dir("cpuacct", name), V1Dir("memory", name), V1Dir("blkio", name), V1Dir("pids", name)), null);
        return true;
    }

    private CgroupMount PrimaryV1() => _v1[PrimaryController()];

    /// <summary>The memory hierarchy when mounted (Docker always creates a cgroup there), else any we read.</summary>
    private string PrimaryController() => _v1.ContainsKey("memory") ? "memory" : _v1.Keys.First();

    private string? V1Dir(string controller, string path) => _v1.TryGetValue(controller, out var mount) ? Dir(mount, path) : null;

    private static string Dir(CgroupMount mount, string path)
    {
        // A subtree mount shows its root cgroup at the mount point: strip that prefix from the path.
        if (mount.Root != "/" && path.StartsWith(mount.Root, StringComparison.Ordinal)) path = path[mount.Root.Length..];
        return path.Length <= 1 ? mount.MountPoint : mount.MountPoint + path;
    }
}
