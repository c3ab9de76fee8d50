using Agent.Collectors.Containers.Cgroups;
using Agent.Collectors.Host.Procfs;
using Agent.Config;
using Agent.Pipeline;

namespace Agent.Collectors.Containers;

/// <summary>
/// cAdvisor's container_* series for each running Docker container: CPU, memory, block IO and
/// limits from its cgroup (v1 or v2), network from its init process' /proc/PID/net/dev, disk
/// usage of its writable layer from <see cref="WritableLayerUsage"/>'s last walk. The container
/// list comes from <see cref="IContainerInventory"/>, so a cycle reads files only.
/// </summary>
public sealed class ContainersCollector : ICollector
{
    public const string DefaultDockerHost = "unix:///var/run/docker.sock";

    private readonly CgroupLayout _layout;
    private readonly IContainerInventory _inventory;
    private readonly ContainerLabelAllowList _allowList;
    private readonly TimeProvider _clock;
    private readonly string _proc;
    private readonly string _root;
    private readonly WritableLayerUsage _layers;
    /// <summary>For resolving a new container's cgroup; per-cycle files go through <see cref="_files"/>.</summary>
    private readonly ProcFileReader _reader = new();
    private readonly KeptFileReader _files;
    private readonly CgroupV1Reader _v1;
    private readonly CgroupV2Reader _v2;
    private readonly CgroupStats _stats = new();
    private readonly BlockDeviceNames _devices;
    private readonly Dictionary<string, ContainerSeries> _containers = new(StringComparer.Ordinal);
    private readonly List<string> _gone = [];
    private long _cycle;

    /// <param name="files">Tests pass one that keeps no descriptor, to see fixture files deleted as the kernel shows a removed cgroup.</param>
    /// <param name="layers">Tests pass one that walks inline and on their schedule.</param>
    internal ContainersCollector(CgroupLayout layout, HostPaths paths, IEnumerable<string> dockerLabels, IContainerInventory inventory, TimeProvider clock,
        KeptFileReader? files = null, WritableLayerUsage? layers = null)
    {
        _root = paths.Root;
        _layers = layers ?? new WritableLayerUsage(clock, WritableLayerUsage.Period, WritableLayerUsage.Budget);
        _files = files ?? new KeptFileReader();
        _layout = layout;
        _inventory = inventory;
        _allowList = new ContainerLabelAllowList(dockerLabels);
        _clock = clock;
        _proc = paths.Proc;
        _v1 = new CgroupV1Reader(_files);
        _v2 = new CgroupV2Reader(_files);
        _devices = new BlockDeviceNames(paths.Sys);
    }

    /// <summary>
    /// The collector for job "cadvisor", or null where there is nothing to read: no cgroup
    /// filesystem in mountinfo (not Linux, or /proc not mounted where [host] proc_path says).
    /// </summary>
    public static ContainersCollector? Create(HostPaths paths, ContainersSection settings, IContainerInventory inventory) =>
        CgroupLayout.Discover(paths, settings.CgroupRoot) is { } layout
            ? new ContainersCollector(layout, paths, settings.DockerLabels, inventory, TimeProvider.System)
            : null;

    public string Name => "containers";

    public void Collect(List<MetricFamily> into)
    {
        var running = _inventory.Running();
        var cycle = ++_cycle;
        var families = new ContainerFamilies(running.Count);
        // cAdvisor's container_last_seen is whole seconds.
        double now = _clock.GetUtcNow().ToUnixTimeSeconds();
        // Indexed, not foreach: enumerating an IReadOnlyList boxes its enumerator every cycle.
        for (var i = 0; i < running.Count; i++)
        {
            if (SeriesFor(running[i]) is not { } series) continue;
            series.Seen = cycle;
            var readSpec = series.SpecDue();
            var read = series.Cgroup.V1 is { } v1 ? _v1.TryRead(v1, _stats, readSpec) : _v2.TryRead(series.Cgroup.V2!, _stats, readSpec);
            if (!read) continue;
            if (readSpec) series.Spec = _stats.Spec;
            else _stats.Spec = series.Spec;
            AddCgroup(series, _stats, families);
            AddNetwork(series, families);
            AddWritableLayer(series, families);
            families.StartTime.Add(series.Labels, series.StartTime);
            families.LastSeen.Add(series.Labels, now);
        }
        Forget(cycle);
        families.AddTo(into);
    }

    private ContainerSeries? SeriesFor(ContainerInfo info)
    {
        if (_containers.TryGetValue(info.Id, out var series))
        {
            if (series.Describes(info)) return series;
            Release(info.Id);
        }
        // Not resolvable yet (cgroup not created) or no more (stopped): retried next cycle.
        if (!_layout.TryResolve(info.Id, info.Pid, _reader, out var cgroup)) return null;
        series = new ContainerSeries(info, cgroup, _allowList.BaseLabels(cgroup.Name, info), _proc)
        {
            LayerRoots = WritableLayerUsage.RootsOf(info, _root),
        };
        _containers[info.Id] = series;
        return series;
    }

    /// <summary>State is kept for live containers only: whatever this cycle did not see is dropped.</summary>
    private void Forget(long cycle)
    {
        foreach (var (id, series) in _containers)
        {
            if (series.Seen != cycle) _gone.Add(id);
        }
        foreach (var id in _gone) Release(id);
        _gone.Clear();
    }

    /// <summary>Drops a container's state and the descriptors kept for it.</summary>
    private void Release(string id)
    {
        if (!_containers.Remove(id, out var series)) return;
        _layers.Forget(id);
        foreach (var file in series.Files()) _files.Close(file);
    }

    private void AddCgroup(ContainerSeries series, CgroupStats s, ContainerFamilies f)
    {
        var labels = series.Labels;
        if (s.HasCpu)
        {
            f.CpuUsage.Add(series.CpuTotal, s.UsageSeconds);
            f.CpuUser.Add(labels, s.UserSeconds);
            f.CpuSystem.Add(labels, s.SystemSeconds);
        }
        if (s.HasCfs)
        {
            f.CfsPeriods.Add(labels, s.Periods);
            f.CfsThrottledPeriods.Add(labels, s.ThrottledPeriods);
            f.CfsThrottledSeconds.Add(labels, s.ThrottledSeconds);
        }
        if (s.HasMemory)
        {
            f.MemoryUsage.Add(labels, s.MemoryUsage);
            f.MemoryWorkingSet.Add(labels, s.WorkingSet);
            f.MemoryRss.Add(labels, s.Rss);
            f.MemoryCache.Add(labels, s.Cache);
            f.MemorySwap.Add(labels, s.Swap);
            f.MemoryMappedFile.Add(labels, s.MappedFile);
            if (s.HasMaxUsage) f.MemoryMaxUsage.Add(labels, s.MaxUsage);
            f.MemoryFailcnt.Add(labels, s.Failcnt);
        }
        if (s.HasOomEvents) f.OomEvents.Add(labels, s.OomEvents);
        var spec = s.Spec;
        if (spec.HasMemoryLimit) f.SpecMemoryLimit.Add(labels, spec.MemoryLimit);
        if (spec.HasReservation) f.SpecMemoryReservation.Add(labels, spec.Reservation);
        if (spec.HasSwapLimit) f.SpecMemorySwapLimit.Add(labels, spec.SwapLimit);
        if (spec.HasCpuShares)
        {
            f.SpecCpuShares.Add(labels, spec.CpuShares);
            // cAdvisor leaves out a zero quota (unlimited) and a zero period.
            if (spec.CpuQuota != 0) f.SpecCpuQuota.Add(labels, spec.CpuQuota);
            if (spec.CpuPeriod != 0) f.SpecCpuPeriod.Add(labels, spec.CpuPeriod);
        }
        foreach (var entry in s.Io)
        {
            f.BlkioDeviceUsage.Add(series.Blkio(entry, _devices), entry.Bytes);
            if (ReferenceEquals(entry.Operation, BlkioOperations.Read)) f.FsReadBytes.Add(series.FsDevice(entry.Major, entry.Minor, _devices), entry.Bytes);
            else if (ReferenceEquals(entry.Operation, BlkioOperations.Write)) f.FsWriteBytes.Add(series.FsDevice(entry.Major, entry.Minor, _devices), entry.Bytes);
        }
        if (s.HasProcesses) f.Processes.Add(labels, s.Processes);
        if (s.HasThreads) f.Threads.Add(labels, s.Threads);
    }

    private void AddWritableLayer(ContainerSeries series, ContainerFamilies f)
    {
        if (!_layers.TryGet(series.Info.Id, series.LayerRoots, out var layer)) return;
        var labels = series.FsDevice(layer.DeviceMajor, layer.DeviceMinor, _devices);
        f.FsUsage.Add(labels, layer.Bytes);
        f.FsLimit.Add(labels, layer.Limit);
    }

    private void AddNetwork(ContainerSeries series, ContainerFamilies f)
    {
        if (!_files.TryRead(series.NetDevPath, oneRecord: false, out var content)) return;
        Span<long> values = stackalloc long[NetDevParser.Columns];
        foreach (var line in new LineEnumerator(content))
        {
            if (!NetDevParser.TryParseLine(line, out var name, values, out var parsed) || parsed < NetDevParser.Columns || Ignored(name)) continue;
            var labels = series.Interface(name);
            f.ReceiveBytes.Add(labels, values[NetDevParser.ReceiveBytes]);
            f.ReceivePackets.Add(labels, values[NetDevParser.ReceivePackets]);
            f.ReceiveErrors.Add(labels, values[NetDevParser.ReceiveErrors]);
            f.ReceiveDropped.Add(labels, values[NetDevParser.ReceiveDrop]);
            f.TransmitBytes.Add(labels, values[NetDevParser.TransmitBytes]);
            f.TransmitPackets.Add(labels, values[NetDevParser.TransmitPackets]);
            f.TransmitErrors.Add(labels, values[NetDevParser.TransmitErrors]);
            f.TransmitDropped.Add(labels, values[NetDevParser.TransmitDrop]);
        }
    }

    /// <summary>cAdvisor's ignored interface prefixes (case-insensitive): loopback and the host side of bridges.</summary>
    internal static bool Ignored(ReadOnlySpan<byte> name) =>
        StartsWithIgnoreCase(name, "lo"u8) || StartsWithIgnoreCase(name, "veth"u8)
        || StartsWithIgnoreCase(name, "docker"u8) || StartsWithIgnoreCase(name, "nerdctl"u8);

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> name, ReadOnlySpan<byte> prefix) =>
        name.Length >= prefix.Length && System.Text.Ascii.EqualsIgnoreCase(name[..prefix.Length], prefix);
}
