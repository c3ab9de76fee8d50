using Agent.Collectors.Containers.Cgroups;
using Agent.Pipeline;

namespace Agent.Collectors.Containers;

/// <summary>
/// What the collector keeps per live container between cycles: its resolved cgroup and every
/// label set its series use, built the first time they are needed and then reused.
/// </summary>
internal sealed class ContainerSeries
{
    private readonly List<(byte[] Name, Label[] Labels)> _interfaces = [];
    private readonly List<(int Major, int Minor, Label[] Labels)> _fsDevices = [];
    private readonly List<(int Major, int Minor, string Operation, Label[] Labels)> _blkio = [];

    public ContainerSeries(ContainerInfo info, ContainerCgroup cgroup, Label[] labels, string procPath)
    {
        Info = info;
        Cgroup = cgroup;
        Labels = labels;
        CpuTotal = With(new Label("cpu", "total"));
        StartTime = info.StartedAt.ToUnixTimeMilliseconds() / 1000.0;
        NetDevPath = info.Pid > 0 ? new KeptFile(Path.Combine(procPath, info.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "net", "dev")) : null;
    }

    public ContainerInfo Info { get; }
    public ContainerCgroup Cgroup { get; }
    public Label[] Labels { get; }
    public Label[] CpuTotal { get; }
    public double StartTime { get; }
    /// <summary>The container's network namespace as its init process sees it; null without a PID.</summary>
    public KeptFile? NetDevPath { get; }
    /// <summary>The directories whose disk usage is the container's (<see cref="WritableLayerUsage.RootsOf"/>); empty when unknown.</summary>
    public string[] LayerRoots { get; init; } = [];
    /// <summary>The limits last read; reused between reads (<see cref="CgroupSpec.ReadEvery"/>).</summary>
    public CgroupSpec Spec { get; set; }
    /// <summary>The cycle that last saw the container running; older means it is gone.</summary>
    public long Seen { get; set; }

    private int _specAge;

    /// <summary>Every file read for this container, so their descriptors can be closed when it goes.</summary>
    public IEnumerable<KeptFile?> Files() => [.. Cgroup.V1?.All ?? Cgroup.V2!.All, NetDevPath];

    /// <summary>True on the first cycle and then every <see cref="CgroupSpec.ReadEvery"/>th.</summary>
    public bool SpecDue()
    {
        var due = _specAge == 0;
        _specAge = (_specAge + 1) % CgroupSpec.ReadEvery;
        return due;
    }

    /// <summary>Same container, same process: a restart changes the PID, a rename the name.</summary>
    public bool Describes(ContainerInfo info) =>
        ReferenceEquals(Info, info) || (Info.Pid == info.Pid && Info.Name == info.Name && Info.Image == info.Image && Info.StartedAt == info.StartedAt);

    public Label[] Interface(ReadOnlySpan<byte> name)
    {
        foreach (var (known, labels) in _interfaces)
        {
            if (name.SequenceEqual(known)) return labels;
        }
        var created = With(new Label("interface", System.Text.Encoding.UTF8.GetString(name)));
        _interfaces.Add((name.ToArray(), created));
        return created;
    }

    /// <summary>Labels of container_fs_*_bytes_total: device is "/dev/NAME".</summary>
    public Label[] FsDevice(int major, int minor, BlockDeviceNames names)
    {
        foreach (var (ma, mi, labels) in _fsDevices)
        {
            if (ma == major && mi == minor) return labels;
        }
        var created = With(new Label("device", names.Of(major, minor)));
        _fsDevices.Add((major, minor, created));
        return created;
    }

    /// <summary>Labels of container_blkio_device_usage_total: device without "/dev/", as cAdvisor strips it there.</summary>
    public Label[] Blkio(BlkioEntry entry, BlockDeviceNames names)
    {
        foreach (var (ma, mi, operation, labels) in _blkio)
        {
            if (ma == entry.Major && mi == entry.Minor && ReferenceEquals(operation, entry.Operation)) return labels;
        }
        var device = names.Of(entry.Major, entry.Minor);
        if (device.StartsWith("/dev/", StringComparison.Ordinal)) device = device["/dev/".Length..];
        var created = With(
            new Label("device", device),
            new Label("major", entry.Major.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Label("minor", entry.Minor.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Label("operation", entry.Operation));
        _blkio.Add((entry.Major, entry.Minor, entry.Operation, created));
        return created;
    }

    /// <summary>An empty value (an unnamed device) is no label, as Prometheus reads it and remote-write requires.</summary>
    private Label[] With(params Label[] extra) => Pipeline.Labels.Sorted(Labels.Concat(extra.Where(l => l.Value.Length > 0)));
}
