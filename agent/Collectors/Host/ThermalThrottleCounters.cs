using System.Buffers.Text;
using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_cpu_core_throttles_total{package,core} and node_cpu_package_throttles_total{package} from
/// /sys/devices/system/cpu/cpuN/thermal_throttle (x86 with the therm_throt driver). Like
/// node_exporter, a core's and a package's counter is read from the first cpu that has it.
/// </summary>
public sealed class ThermalThrottleCounters
{
    public const string CoreName = "node_cpu_core_throttles_total";
    public const string CoreHelp = "Number of times this CPU core has been throttled.";
    public const string PackageName = "node_cpu_package_throttles_total";
    public const string PackageHelp = "Number of times this CPU package has been throttled.";

    private readonly CpuFiles[] _cpus;
    private readonly ProcFileReader _reader = new();
    private readonly Dictionary<ulong, Label[]> _packageLabels = [];
    private readonly Dictionary<(ulong Package, ulong Core), Label[]> _coreLabels = [];
    private readonly HashSet<ulong> _packagesSeen = [];
    private readonly HashSet<(ulong, ulong)> _coresSeen = [];

    public ThermalThrottleCounters(string cpuDir)
    {
        // Most hosts (VMs, non-x86) have no thermal_throttle at all: decide once and then cost nothing.
        if (!HasThrottleDirectory(cpuDir))
        {
            _cpus = [];
            return;
        }
        var dirs = CpuDirectories(cpuDir);
        _cpus = new CpuFiles[dirs.Length];
        for (var i = 0; i < dirs.Length; i++) _cpus[i] = new CpuFiles(dirs[i]);
    }

    public void Collect(List<MetricFamily> into)
    {
        if (_cpus.Length == 0) return;
        var cores = new MetricFamily(CoreName, CoreHelp, MetricType.Counter);
        var packages = new MetricFamily(PackageName, PackageHelp, MetricType.Counter);
        _packagesSeen.Clear();
        _coresSeen.Clear();
        foreach (var cpu in _cpus)
        {
            // An offline cpu has no topology: skip it, as node_exporter does.
            if (!TryReadUInt(cpu.PackageId, out var package)) continue;
            if (!TryReadUInt(cpu.CoreId, out var core)) continue;

            if (_coresSeen.Add((package, core))
                && TryReadUInt(cpu.CoreThrottles, out var coreCount))
            {
                cores.Add(CoreLabels(package, core), coreCount);
            }
            if (_packagesSeen.Add(package)
                && TryReadUInt(cpu.PackageThrottles, out var packageCount))
            {
                packages.Add(PackageLabels(package), packageCount);
            }
        }
        if (packages.Samples.Count > 0) into.Add(packages);
        if (cores.Samples.Count > 0) into.Add(cores);
    }

    private Label[] PackageLabels(ulong package)
    {
        if (!_packageLabels.TryGetValue(package, out var labels))
        {
            labels = [new Label("package", package.ToString(System.Globalization.CultureInfo.InvariantCulture))];
            _packageLabels[package] = labels;
        }
        return labels;
    }

    private Label[] CoreLabels(ulong package, ulong core)
    {
        if (!_coreLabels.TryGetValue((package, core), out var labels))
        {
            labels = [new Label("core", core.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Label("package", package.ToString(System.Globalization.CultureInfo.InvariantCulture))];
            _coreLabels[(package, core)] = labels;
        }
        return labels;
    }

    private bool TryReadUInt(string path, out ulong value)
    {
        value = 0;
        if (!_reader.TryRead(path, out var content)) return false;
        content = content.TrimEnd("\n\r "u8);
        return Utf8Parser.TryParse(content, out value, out var consumed) && consumed == content.Length;
    }

    private static bool HasThrottleDirectory(string cpuDir)
    {
        foreach (var dir in CpuDirectories(cpuDir))
        {
            if (Directory.Exists(Path.Combine(dir, "thermal_throttle"))) return true;
        }
        return false;
    }

    /// <summary>The cpu[0-9]* directories (not cpufreq, cpuidle), as node_exporter's glob picks them.</summary>
    private static string[] CpuDirectories(string cpuDir)
    {
        if (!Directory.Exists(cpuDir)) return [];
        var dirs = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories(cpuDir, "cpu*"))
        {
            var name = Path.GetFileName(dir.AsSpan());
            if (name.Length > 3 && char.IsAsciiDigit(name[3])) dirs.Add(dir);
        }
        dirs.Sort(StringComparer.Ordinal);
        return [.. dirs];
    }

    /// <summary>The four files read per cpu, their paths built once.</summary>
    private sealed class CpuFiles(string dir)
    {
        public string PackageId { get; } = Path.Combine(dir, "topology", "physical_package_id");
        public string CoreId { get; } = Path.Combine(dir, "topology", "core_id");
        public string CoreThrottles { get; } = Path.Combine(dir, "thermal_throttle", "core_throttle_count");
        public string PackageThrottles { get; } = Path.Combine(dir, "thermal_throttle", "package_throttle_count");
    }
}
