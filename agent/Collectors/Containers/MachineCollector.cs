using System.Text;
using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Containers;

/// <summary>
/// cAdvisor's machine_* family (job "cadvisor"): logical and physical cores, sockets and
/// installed memory, labelled boot_id, machine_id and system_uuid as cAdvisor labels them.
/// Container dashboards divide by these (CPU and memory share of the machine). Read once: the
/// machine does not change under a running agent.
/// </summary>
public sealed class MachineCollector(HostPaths paths) : ICollector
{
    private MetricFamily[]? _families;

    public string Name => "machine";

    public void Collect(List<MetricFamily> into) => into.AddRange(_families ??= Read());

    private MetricFamily[] Read()
    {
        var reader = new ProcFileReader(64 * 1024);
        Label[] labels =
        [
            new("boot_id", Text(reader, paths.ProcFile("sys/kernel/random/boot_id"))),
            new("machine_id", Text(reader, Path.Join(paths.Root, "etc/machine-id"))),
            new("system_uuid", Text(reader, paths.SysFile("class/dmi/id/product_uuid"))),
        ];
        var logical = reader.TryRead(paths.ProcFile("cpuinfo"), out var cpuinfo) ? CountProcessors(cpuinfo) : Environment.ProcessorCount;
        var (cores, sockets) = Topology(reader);
        var families = new List<MetricFamily>(4);
        Add(families, "machine_cpu_cores", "Number of logical CPU cores.", labels, logical);
        if (cores > 0) Add(families, "machine_cpu_physical_cores", "Number of physical CPU cores.", labels, cores);
        if (sockets > 0) Add(families, "machine_cpu_sockets", "Number of CPU sockets.", labels, sockets);
        if (reader.TryRead(paths.ProcFile("meminfo"), out var meminfo) && MemTotalKb(meminfo) is var kb and > 0)
        {
            Add(families, "machine_memory_bytes", "Amount of memory installed on the machine.", labels, kb * 1024.0);
        }
        return [.. families];
    }

    private static void Add(List<MetricFamily> into, string name, string help, Label[] labels, double value)
    {
        var family = new MetricFamily(name, help, MetricType.Gauge, capacity: 1);
        family.Add(labels, value);
        into.Add(family);
    }

    private static string Text(ProcFileReader reader, string path) =>
        reader.TryRead(path, out var content) ? Encoding.UTF8.GetString(content.Trim(" \t\r\n"u8)) : "";

    public static int CountProcessors(ReadOnlySpan<byte> cpuinfo)
    {
        var count = 0;
        foreach (var line in new LineEnumerator(cpuinfo))
        {
            if (line.StartsWith("processor"u8) && line["processor"u8.Length..].TrimStart(" \t"u8).StartsWith(":"u8)) count++;
        }
        return count;
    }

    private static long MemTotalKb(ReadOnlySpan<byte> meminfo)
    {
        long total = 0;
        MeminfoParser.Parse(meminfo, (name, value, _) =>
        {
            if (name.SequenceEqual("MemTotal"u8)) total = (long)value;
        });
        return total;
    }

    /// <summary>Distinct (package, core) pairs and packages of the CPUs sysfs lists, as cAdvisor counts them.</summary>
    private (int Cores, int Sockets) Topology(ProcFileReader reader)
    {
        var root = paths.SysFile("devices/system/cpu");
        if (!Directory.Exists(root)) return (0, 0);
        var cores = new HashSet<(long, long)>();
        var sockets = new HashSet<long>();
        foreach (var dir in Directory.EnumerateDirectories(root, "cpu*"))
        {
            var name = Path.GetFileName(dir);
            if (name.Length <= 3 || !char.IsAsciiDigit(name[3])) continue;
            if (!reader.TryRead(Path.Join(dir, "topology/physical_package_id"), out var content) || !ProcNumbers.TryParseLong(content, out var package)) continue;
            if (!reader.TryRead(Path.Join(dir, "topology/core_id"), out content) || !ProcNumbers.TryParseLong(content, out var core)) continue;
            cores.Add((package, core));
            sockets.Add(package);
        }
        return (cores.Count, sockets.Count);
    }
}
