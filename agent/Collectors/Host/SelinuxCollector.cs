using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's selinux collector: node_selinux_enabled (0 without selinuxfs), and where
/// SELinux is on, the configured mode (/etc/selinux/config under the root path) and the current
/// one (selinuxfs' enforce): 1 enforcing, 0 permissive, -1 disabled.
/// </summary>
public sealed class SelinuxCollector(HostPaths paths) : ICollector
{
    private readonly string _enforce = paths.SysFile("fs/selinux/enforce");
    private readonly string _attr = paths.ProcFile("thread-self/attr/current");
    private readonly string _config = Path.Join(paths.Root, "etc/selinux/config");
    private readonly ProcFileReader _reader = new(256);

    public string Name => "selinux";

    public void Collect(List<MetricFamily> into)
    {
        if (!Enabled())
        {
            into.AddGauge("node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", 0);
            return;
        }
        if (!_reader.TryRead(_enforce, out var enforce) || !ProcNumbers.TryParseLong(enforce, out var current))
        {
            throw new InvalidDataException($"{_enforce}: expected 0 or 1");
        }
        into.AddGauge("node_selinux_config_mode", "Configured SELinux enforcement mode", ConfiguredMode());
        into.AddGauge("node_selinux_current_mode", "Current SELinux enforcement mode", current);
        into.AddGauge("node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", 1);
    }

    /// <summary>As go-selinux decides: selinuxfs is there and this thread's context is not the kernel's placeholder.</summary>
    private bool Enabled() =>
        File.Exists(_enforce) && _reader.TryRead(_attr, out var context) && !context.TrimEnd("\0\n"u8).SequenceEqual("kernel"u8);

    private double ConfiguredMode() => _reader.TryRead(_config, out var content) ? SelinuxConfigParser.Mode(content) : -1;
}
