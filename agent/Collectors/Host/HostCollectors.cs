using Agent.Config;

namespace Agent.Collectors.Host;

/// <summary>
/// The explicit table of host collectors, node_exporter's names and defaults. Factories
/// return null where a collector cannot work (not Linux), which `agent check` reports.
/// </summary>
public static class HostCollectors
{
    private static ICollector? Linux(Func<ICollector> create) => OperatingSystem.IsLinux() ? create() : null;

    public static IReadOnlyList<CollectorDescriptor> All { get; } =
    [
        new("arp", true, (p, _) => Linux(() => new ArpCollector(p))),
        new("conntrack", true, (p, _) => Linux(() => new ConntrackCollector(p))),
        new("cpu", true, (p, _) => Linux(() => new CpuCollector(p))),
        new("cpufreq", true, (p, _) => Linux(() => new CpufreqCollector(p))),
        new("diskstats", true, (p, s) => Linux(() => new DiskstatsCollector(p, s.DiskstatsDeviceExclude))),
        new("entropy", true, (p, _) => Linux(() => new EntropyCollector(p))),
        new("filefd", true, (p, _) => Linux(() => new FilefdCollector(p))),
        new("filesystem", true, (p, s) => OperatingSystem.IsLinux() && Environment.Is64BitProcess
            ? new FilesystemCollector(p, s.FilesystemMountPointsExclude, s.FilesystemFsTypesExclude, s.FilesystemTimeoutValue) : null),
        new("hwmon", true, (p, _) => Linux(() => new HwmonCollector(p))),
        new("loadavg", true, (p, _) => Linux(() => new LoadavgCollector(p))),
        new("meminfo", true, (p, _) => Linux(() => new MeminfoCollector(p))),
        new("netclass", true, (p, s) => Linux(() => new NetclassCollector(p, s.NetclassIgnoredDevices))),
        new("netdev", true, (p, s) => Linux(() => new NetdevCollector(p, s.NetdevDeviceExclude))),
        new("netstat", true, (p, _) => Linux(() => new NetstatCollector(p))),
        new("os", true, (p, _) => Linux(() => new OsCollector(p))),
        new("pressure", true, (p, _) => Linux(() => new PressureCollector(p))),
        new("selinux", true, (p, _) => Linux(() => new SelinuxCollector(p))),
        new("sockstat", true, (p, _) => Linux(() => new SockstatCollector(p))),
        new("softnet", true, (p, _) => Linux(() => new SoftnetCollector(p))),
        new("stat", true, (p, _) => Linux(() => new StatCollector(p))),
        new("textfile", true, (_, s) => new TextfileCollector(s.TextfileDir)),
        new("thermal_zone", true, (p, _) => Linux(() => new ThermalZoneCollector(p))),
        new("time", true, (p, _) => new TimeCollector(p)),
        new("timex", true, (_, _) => Linux(() => new TimexCollector())),
        new("udp_queues", true, (p, _) => Linux(() => new UdpQueuesCollector(p))),
        new("uname", true, (_, _) => Linux(() => new UnameCollector())),
        new("vmstat", true, (p, _) => Linux(() => new VmstatCollector(p))),
    ];

    /// <summary>The collectors a [host] section selects: defaults, plus enable, minus disable.</summary>
    public static IEnumerable<CollectorDescriptor> Selected(HostSection settings) =>
        All.Where(d => (d.EnabledByDefault || settings.Enable.Contains(d.Name)) && !settings.Disable.Contains(d.Name));
}
