using System.Text.RegularExpressions;
using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's filesystem collector: size, free, avail, files, files_free, readonly and
/// device_error per mount of /proc/1/mounts, with Debian's default mount-point and fs-type
/// excludes. Network filesystems are stat'ed on a worker with a timeout: a dead NFS server
/// marks that mount device_error=1 and is skipped until its stuck call returns, so a cycle
/// never hangs.
/// </summary>
public sealed class FilesystemCollector : ICollector
{
    public const string DefaultMountPointsExclude = "^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
    public const string DefaultFsTypesExclude = "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$";
    private static readonly string[] NetworkFsTypes = ["nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "glusterfs", "9p", "sshfs", "davfs"];

    private readonly HostPaths _paths;
    private readonly Regex _mountPointsExclude;
    private readonly Regex _fsTypesExclude;
    private readonly TimeSpan _timeout;
    private readonly ProcFileReader _reader = new();
    private readonly List<Mount> _mounts = [];
    private readonly Dictionary<string, bool> _excluded = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string, string), Label[]> _labels = [];
    private readonly HashSet<string> _stuck = new(StringComparer.Ordinal);

    public FilesystemCollector(HostPaths paths, string? mountPointsExclude = null, string? fsTypesExclude = null, TimeSpan? timeout = null)
    {
        _paths = paths;
        _mountPointsExclude = new Regex(mountPointsExclude ?? DefaultMountPointsExclude, RegexOptions.CultureInvariant);
        _fsTypesExclude = new Regex(fsTypesExclude ?? DefaultFsTypesExclude, RegexOptions.CultureInvariant);
        _timeout = timeout ?? TimeSpan.FromSeconds(5);
    }

    public string Name => "filesystem";

    public void Collect(List<MetricFamily> into)
    {
        if (!_reader.TryRead(_paths.ProcFile("1/mounts"), out var content) && !_reader.TryRead(_paths.ProcFile("mounts"), out content))
        {
            throw new IOException($"cannot read {_paths.ProcFile("1/mounts")}");
        }
        MountsParser.Parse(content, _mounts);
        var size = new MetricFamily("node_filesystem_size_bytes", "Filesystem size in bytes.", MetricType.Gauge);
        var free = new MetricFamily("node_filesystem_free_bytes", "Filesystem free space in bytes.", MetricType.Gauge);
        var avail = new MetricFamily("node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.", MetricType.Gauge);
        var files = new MetricFamily("node_filesystem_files", "Filesystem total file nodes.", MetricType.Gauge);
        var filesFree = new MetricFamily("node_filesystem_files_free", "Filesystem total free file nodes.", MetricType.Gauge);
        var readOnly = new MetricFamily("node_filesystem_readonly", "Filesystem read-only status.", MetricType.Gauge);
        var error = new MetricFamily("node_filesystem_device_error", "Whether an error occurred while getting statistics for the given device.", MetricType.Gauge);
        var seen = new HashSet<(string, string, string)>();
        foreach (var mount in _mounts)
        {
            if (Excluded(mount)) continue;
            var key = (mount.Device, mount.MountPoint, mount.FsType);
            if (!seen.Add(key)) continue;
            if (!_labels.TryGetValue(key, out var labels))
            {
                labels = [new("device", mount.Device), new("fstype", mount.FsType), new("mountpoint", mount.MountPoint)];
                _labels[key] = labels;
            }
            var ok = Stat(mount, out var stat);
            error.Add(labels, ok ? 0 : 1);
            readOnly.Add(labels, mount.ReadOnly ? 1 : 0);
            if (!ok) continue;
            size.Add(labels, (double)stat.Blocks * stat.BlockSize);
            free.Add(labels, (double)stat.BlocksFree * stat.BlockSize);
            avail.Add(labels, (double)stat.BlocksAvailable * stat.BlockSize);
            files.Add(labels, stat.Files);
            filesFree.Add(labels, stat.FilesFree);
        }
        into.Add(avail);
        into.Add(error);
        into.Add(files);
        into.Add(filesFree);
        into.Add(free);
        into.Add(readOnly);
        into.Add(size);
    }

    private bool Excluded(Mount mount)
    {
        var key = mount.FsType + "\u0000" + mount.MountPoint;
        if (_excluded.TryGetValue(key, out var excluded)) return excluded;
        excluded = _mountPointsExclude.IsMatch(mount.MountPoint) || _fsTypesExclude.IsMatch(mount.FsType);
        _excluded[key] = excluded;
        return excluded;
    }

    private bool Stat(Mount mount, out Statvfs.Result stat)
    {
        var path = _paths.Root == "/" ? mount.MountPoint : Path.Join(_paths.Root, mount.MountPoint);
        if (Array.IndexOf(NetworkFsTypes, mount.FsType) < 0 && !mount.FsType.StartsWith("fuse.", StringComparison.Ordinal))
        {
            return Statvfs.TryGet(path, out stat, out _);
        }
        lock (_stuck)
        {
            if (_stuck.Contains(path))
            {
                stat = default;
                return false;
            }
        }
        var call = Task.Run(() => (Statvfs.TryGet(path, out var s, out _), s));
        if (call.Wait(_timeout))
        {
            (var ok, stat) = call.Result;
            return ok;
        }
        lock (_stuck) _stuck.Add(path);
        _ = call.ContinueWith(_ => { lock (_stuck) _stuck.Remove(path); }, TaskScheduler.Default);
        stat = default;
        return false;
    }
}
