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
    private readonly SeenCache<MountState?> _mounts = new();
    private readonly HashSet<(string, string, string)> _seen = [];
    private readonly HashSet<string> _stuck = new(StringComparer.Ordinal);
    private int _lastCount = 4;

    /// <summary>One line of the mount table, parsed once and kept while the line is there; null for a malformed line.</summary>
    private sealed record MountState(Mount Mount, bool Excluded, Label[] Labels);

    public FilesystemCollector(HostPaths paths, string? mountPointsExclude = null, string? fsTypesExclude = null, TimeSpan? timeout = null)
    {
        _paths = paths;
        _mountPointsExclude = new Regex(mountPointsExclude ?? DefaultMountPointsExclude, RegexOptions.CultureInvariant);
        _fsTypesExclude = new Regex(fsTypesExclude ?? DefaultFsTypesExclude, RegexOptions.CultureInvariant);
        _timeout = timeout ?? TimeSpan.FromSeconds(5);
    }

    public string Name => "filesystem";

    /// <summary>Mount lines remembered between cycles (for the bounded-state test).</summary>
    internal int CachedMounts => _mounts.Count;

    public void Collect(List<MetricFamily> into)
    {
        if (!_reader.TryRead(_paths.ProcFile("1/mounts"), out var content) && !_reader.TryRead(_paths.ProcFile("mounts"), out content))
        {
            throw new IOException($"cannot read {_paths.ProcFile("1/mounts")}");
        }
        var n = _lastCount;
        var size = new MetricFamily("node_filesystem_size_bytes", "Filesystem size in bytes.", MetricType.Gauge, n);
        var free = new MetricFamily("node_filesystem_free_bytes", "Filesystem free space in bytes.", MetricType.Gauge, n);
        var avail = new MetricFamily("node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.", MetricType.Gauge, n);
        var files = new MetricFamily("node_filesystem_files", "Filesystem total file nodes.", MetricType.Gauge, n);
        var filesFree = new MetricFamily("node_filesystem_files_free", "Filesystem total free file nodes.", MetricType.Gauge, n);
        var readOnly = new MetricFamily("node_filesystem_readonly", "Filesystem read-only status.", MetricType.Gauge, n);
        var error = new MetricFamily("node_filesystem_device_error", "Whether an error occurred while getting statistics for the given device.", MetricType.Gauge, n);
        _mounts.BeginCycle();
        _seen.Clear();
        foreach (var line in new LineEnumerator(content))
        {
            if (!_mounts.TryGet(line, out var state)) state = _mounts.Add(System.Text.Encoding.UTF8.GetString(line), Parse(line));
            if (state is null || state.Excluded) continue;
            var mount = state.Mount;
            var labels = state.Labels;
            if (!_seen.Add((mount.Device, mount.MountPoint, mount.FsType))) continue;
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
        _mounts.EndCycle();
        _lastCount = Math.Max(error.Samples.Count, 1);
        into.Add(avail);
        into.Add(error);
        into.Add(files);
        into.Add(filesFree);
        into.Add(free);
        into.Add(readOnly);
        into.Add(size);
    }

    private MountState? Parse(ReadOnlySpan<byte> line)
    {
        if (!MountsParser.TryParseLine(line, out var mount)) return null;
        var excluded = _mountPointsExclude.IsMatch(mount.MountPoint) || _fsTypesExclude.IsMatch(mount.FsType);
        return new MountState(mount, excluded, [new("device", mount.Device), new("fstype", mount.FsType), new("mountpoint", mount.MountPoint)]);
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
