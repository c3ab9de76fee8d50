using System.Text;
using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's meminfo collector: one gauge per /proc/meminfo field, node_memory_{Field}_bytes
/// for kB fields (converted to bytes), node_memory_{Field} for unitless ones (HugePages_*).
/// "Active(anon)" becomes "Active_anon", as node_exporter's regexp does.
/// </summary>
public sealed class MeminfoCollector(HostPaths paths) : ICollector
{
    private readonly string _path = paths.ProcFile("meminfo");
    private readonly ProcFileReader _reader = new(8 * 1024);
    // Field order in /proc/meminfo is stable, so names are cached by position and only
    // rebuilt when the raw bytes at that position differ (a kernel upgrade, a test fixture).
    private readonly List<(byte[] Raw, bool Kilobytes, string Name, string Help, MetricType Type)> _names = [];

    public string Name => "meminfo";

    public void Collect(List<MetricFamily> into)
    {
        if (!_reader.TryRead(_path, out var content)) throw new IOException($"cannot read {_path}");
        var index = 0;
        MeminfoParser.Parse(content, (raw, value, kilobytes) =>
        {
            var (name, help, type) = NameAt(index++, raw, kilobytes);
            var family = new MetricFamily(name, help, type, capacity: 1);
            family.Add(Labels.Empty, kilobytes ? value * 1024.0 : value);
            into.Add(family);
        });
    }

    private (string Name, string Help, MetricType Type) NameAt(int index, ReadOnlySpan<byte> raw, bool kilobytes)
    {
        if (index < _names.Count && _names[index].Kilobytes == kilobytes && raw.SequenceEqual(_names[index].Raw))
        {
            var hit = _names[index];
            return (hit.Name, hit.Help, hit.Type);
        }
        var field = Encoding.ASCII.GetString(raw).Replace("(", "_").Replace(")", "");
        if (kilobytes) field += "_bytes";
        // node_exporter types a field as counter only when it ends in "_total".
        var type = field.EndsWith("_total", StringComparison.Ordinal) ? MetricType.Counter : MetricType.Gauge;
        var entry = (raw.ToArray(), kilobytes, "node_memory_" + field, $"Memory information field {field}.", type);
        if (index < _names.Count) _names[index] = entry;
        else _names.Add(entry);
        return (entry.Item3, entry.Item4, type);
    }
}
