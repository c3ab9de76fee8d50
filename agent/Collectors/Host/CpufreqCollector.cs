using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's cpufreq collector: per-CPU frequencies from
/// /sys/devices/system/cpu/cpu*/cpufreq (kHz in sysfs, hertz here). Hosts without cpufreq
/// (most VMs) report nothing.
/// </summary>
public sealed class CpufreqCollector(HostPaths paths) : ICollector
{
    private static readonly (string File, string Name, string Help)[] Files =
    [
        ("cpuinfo_cur_freq", "node_cpu_frequency_hertz", "Current cpu thread frequency in hertz."),
        ("cpuinfo_max_freq", "node_cpu_frequency_max_hertz", "Maximum cpu thread frequency in hertz."),
        ("cpuinfo_min_freq", "node_cpu_frequency_min_hertz", "Minimum cpu thread frequency in hertz."),
        ("scaling_cur_freq", "node_cpu_scaling_frequency_hertz", "Current scaled CPU thread frequency in hertz."),
        ("scaling_max_freq", "node_cpu_scaling_frequency_max_hertz", "Maximum scaled CPU thread frequency in hertz."),
        ("scaling_min_freq", "node_cpu_scaling_frequency_min_hertz", "Minimum scaled CPU thread frequency in hertz."),
    ];

    private readonly string _root = paths.SysFile("devices/system/cpu");
    private readonly ProcFileReader _reader = new(64);
    private (Label[] Labels, string[] Paths)[]? _cpus;

    public string Name => "cpufreq";

    public void Collect(List<MetricFamily> into)
    {
        _cpus ??= Discover();
        if (_cpus.Length == 0) return;
        var families = new MetricFamily[Files.Length];
        for (var i = 0; i < Files.Length; i++) families[i] = new MetricFamily(Files[i].Name, Files[i].Help, MetricType.Gauge, _cpus.Length);
        foreach (var (labels, paths) in _cpus)
        {
            for (var i = 0; i < Files.Length; i++)
            {
                if (_reader.TryRead(paths[i], out var content) && ProcNumbers.TryParseLong(content, out var khz)) families[i].Add(labels, khz * 1000.0);
            }
        }
        foreach (var family in families)
        {
            if (family.Samples.Count > 0) into.Add(family);
        }
    }

    private (Label[], string[])[] Discover()
    {
        if (!Directory.Exists(_root)) return [];
        var cpus = new List<(int Cpu, Label[], string[])>();
        foreach (var dir in Directory.EnumerateDirectories(_root, "cpu*"))
        {
            var name = Path.GetFileName(dir);
            if (!int.TryParse(name.AsSpan(3), out var cpu)) continue;
            var freq = Path.Combine(dir, "cpufreq");
            if (!Directory.Exists(freq)) continue;
            cpus.Add((cpu, [new Label("cpu", cpu.ToString(System.Globalization.CultureInfo.InvariantCulture))], [.. Files.Select(f => Path.Combine(freq, f.File))]));
        }
        return [.. cpus.OrderBy(c => c.Cpu).Select(c => (c.Item2, c.Item3))];
    }
}
