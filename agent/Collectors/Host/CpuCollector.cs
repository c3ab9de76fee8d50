using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's cpu collector: node_cpu_seconds_total{cpu,mode} and
/// node_cpu_guest_seconds_total{cpu,mode} from /proc/stat, ticks divided by USER_HZ (100, as
/// node_exporter assumes on every Linux architecture it supports).
/// </summary>
public sealed class CpuCollector(HostPaths paths) : ICollector
{
    private const double UserHz = 100.0;
    private static readonly string[] Modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"];

    private readonly string _statPath = paths.ProcFile("stat");
    private readonly ProcFileReader _reader = new();
    private readonly List<ProcStatCpu> _cpus = [];
    private readonly Dictionary<int, Label[][]> _labels = [];

    public string Name => "cpu";

    public void Collect(List<MetricFamily> into)
    {
        if (!_reader.TryRead(_statPath, out var content)) throw new IOException($"cannot read {_statPath}");
        ProcStatParser.ParseCpus(content, _cpus);
        var seconds = new MetricFamily("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", MetricType.Counter);
        var guest = new MetricFamily("node_cpu_guest_seconds_total", "Seconds the CPUs spent in guests (VMs) for each mode.", MetricType.Counter);
        foreach (var cpu in _cpus)
        {
            var labels = LabelsFor(cpu.Cpu);
            seconds.Add(labels[0], cpu.Idle / UserHz);
            seconds.Add(labels[1], cpu.Iowait / UserHz);
            seconds.Add(labels[2], cpu.Irq / UserHz);
            seconds.Add(labels[3], cpu.Nice / UserHz);
            seconds.Add(labels[4], cpu.Softirq / UserHz);
            seconds.Add(labels[5], cpu.Steal / UserHz);
            seconds.Add(labels[6], cpu.System / UserHz);
            seconds.Add(labels[7], cpu.User / UserHz);
            guest.Add(labels[8], cpu.GuestNice / UserHz);
            guest.Add(labels[9], cpu.Guest / UserHz);
        }
        into.Add(seconds);
        into.Add(guest);
    }

    /// <summary>Label arrays per CPU, built once: 8 modes, then guest nice and guest user.</summary>
    private Label[][] LabelsFor(int cpu)
    {
        if (_labels.TryGetValue(cpu, out var cached)) return cached;
        var id = cpu.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var result = new Label[Modes.Length + 2][];
        for (var i = 0; i < Modes.Length; i++) result[i] = [new("cpu", id), new("mode", Modes[i])];
        result[Modes.Length] = [new("cpu", id), new("mode", "nice")];
        result[Modes.Length + 1] = [new("cpu", id), new("mode", "user")];
        _labels[cpu] = result;
        return result;
    }
}
