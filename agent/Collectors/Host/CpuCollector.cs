using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's cpu collector: node_cpu_seconds_total{cpu,mode} and
/// node_cpu_guest_seconds_total{cpu,mode} from /proc/stat (ticks / USER_HZ 100, as node_exporter
/// assumes), node_cpu_isolated from /sys, and thermal throttle counters where the kernel has
/// them. Like node_exporter, a counter that goes backwards keeps its previous value, unless idle
/// dropped by 3 s or more (a CPU hot-plugged back in), which resets that CPU.
/// </summary>
public sealed class CpuCollector : ICollector
{
    private const double UserHz = 100.0;
    private const double JumpBackSeconds = 3.0;
    private const int Fields = 10;
    private static readonly string[] Modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"];

    private readonly string _statPath;
    private readonly ProcFileReader _reader = new();
    private readonly List<ProcStatCpu> _cpus = [];
    private readonly Dictionary<int, CpuSeries> _series = [];
    private readonly Label[][] _isolated;
    private readonly ThermalThrottleCounters _throttles;
    private int _cycle;

    public CpuCollector(HostPaths paths)
    {
        _statPath = paths.ProcFile("stat");
        var cpuDir = paths.SysFile("devices/system/cpu");
        _isolated = ReadIsolated(Path.Combine(cpuDir, "isolated"));
        _throttles = new ThermalThrottleCounters(cpuDir);
    }

    public string Name => "cpu";

    public void Collect(List<MetricFamily> into)
    {
        if (!_reader.TryRead(_statPath, out var content)) throw new IOException($"cannot read {_statPath}");
        ProcStatParser.ParseCpus(content, _cpus);
        var previous = _cycle++;
        var seconds = new MetricFamily("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", MetricType.Counter, _cpus.Count * Modes.Length);
        var guest = new MetricFamily("node_cpu_guest_seconds_total", "Seconds the CPUs spent in guests (VMs) for each mode.", MetricType.Counter, _cpus.Count * 2);
        Span<double> now = stackalloc double[Fields];
        foreach (var cpu in _cpus)
        {
            if (!_series.TryGetValue(cpu.Cpu, out var series))
            {
                series = new CpuSeries(cpu.Cpu);
                _series[cpu.Cpu] = series;
            }
            now[0] = cpu.Idle / UserHz;
            now[1] = cpu.Iowait / UserHz;
            now[2] = cpu.Irq / UserHz;
            now[3] = cpu.Nice / UserHz;
            now[4] = cpu.Softirq / UserHz;
            now[5] = cpu.Steal / UserHz;
            now[6] = cpu.System / UserHz;
            now[7] = cpu.User / UserHz;
            now[8] = cpu.GuestNice / UserHz;
            now[9] = cpu.Guest / UserHz;
            // A CPU missing from the previous cycle (offline) starts afresh instead of being clamped.
            var continuing = series.SeenInCycle == previous && previous > 0;
            if (continuing && series.Last[0] - now[0] < JumpBackSeconds)
            {
                for (var i = 0; i < Fields; i++) now[i] = Math.Max(now[i], series.Last[i]);
            }
            now.CopyTo(series.Last);
            series.SeenInCycle = _cycle;
            for (var i = 0; i < Modes.Length; i++) seconds.Add(series.Labels[i], now[i]);
            guest.Add(series.Labels[Modes.Length], now[8]);
            guest.Add(series.Labels[Modes.Length + 1], now[9]);
        }
        into.Add(seconds);
        into.Add(guest);
        if (_isolated.Length > 0)
        {
            var isolated = new MetricFamily("node_cpu_isolated", "Whether each core is isolated, information from /sys/devices/system/cpu/isolated.", MetricType.Gauge, _isolated.Length);
            foreach (var labels in _isolated) isolated.Add(labels, 1);
            into.Add(isolated);
        }
        _throttles.Collect(into);
    }

    private static Label[][] ReadIsolated(string path)
    {
        var cpus = new List<int>();
        if (!new ProcFileReader(64).TryRead(path, out var content) || !CpuListParser.TryParse(content, cpus)) return [];
        return [.. cpus.Select(c => new Label[] { new("cpu", c.ToString(System.Globalization.CultureInfo.InvariantCulture)) })];
    }

    /// <summary>One CPU's label arrays (8 modes, then guest nice and guest user), built once, and its last values.</summary>
    private sealed class CpuSeries
    {
        public CpuSeries(int cpu)
        {
            var id = cpu.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Labels = new Label[Modes.Length + 2][];
            for (var i = 0; i < Modes.Length; i++) Labels[i] = [new("cpu", id), new("mode", Modes[i])];
            Labels[Modes.Length] = [new("cpu", id), new("mode", "nice")];
            Labels[Modes.Length + 1] = [new("cpu", id), new("mode", "user")];
        }

        public Label[][] Labels { get; }
        public double[] Last { get; } = new double[Fields];
        public int SeenInCycle { get; set; } = -1;
    }
}
