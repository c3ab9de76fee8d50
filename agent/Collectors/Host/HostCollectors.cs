namespace Agent.Collectors.Host;

/// <summary>
/// The explicit table of host collectors (node_exporter's names). Factories return null where
/// a collector cannot work (non-Linux), which `agent check` reports as unavailable.
/// </summary>
public static class HostCollectors
{
    public static IReadOnlyList<CollectorDescriptor> All { get; } =
    [
        new("cpu", EnabledByDefault: true, paths => OperatingSystem.IsLinux() ? new CpuCollector(paths) : null),
        new("meminfo", EnabledByDefault: true, paths => OperatingSystem.IsLinux() ? new MeminfoCollector(paths) : null),
    ];
}
