using System.Text;
using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's vmstat collector with its default field filter
/// ^(oom_kill|pgpg|pswp|pg.*fault).* — the decision is made once per field name.
/// </summary>
public sealed class VmstatCollector(HostPaths paths) : ICollector
{
    private readonly string _path = paths.ProcFile("vmstat");
    private readonly ProcFileReader _reader = new();
    private readonly Dictionary<int, (byte[] Raw, string? Name, string Help)> _names = [];

    public string Name => "vmstat";

    public void Collect(List<MetricFamily> into)
    {
        if (!_reader.TryRead(_path, out var content)) throw new IOException($"cannot read {_path}");
        var index = 0;
        foreach (var line in new LineEnumerator(content))
        {
            var fields = new FieldEnumerator(line);
            if (!fields.MoveNext()) continue;
            var key = fields.Current;
            var (name, help) = NameAt(index++, key);
            if (name is null || !fields.MoveNext() || !ProcNumbers.TryParseLong(fields.Current, out var value)) continue;
            into.AddSingle(name, help, MetricType.Untyped, value);
        }
    }

    private (string? Name, string Help) NameAt(int index, ReadOnlySpan<byte> key)
    {
        if (_names.TryGetValue(index, out var cached) && key.SequenceEqual(cached.Raw)) return (cached.Name, cached.Help);
        var field = Encoding.ASCII.GetString(key);
        var selected = field.StartsWith("oom_kill", StringComparison.Ordinal) || field.StartsWith("pgpg", StringComparison.Ordinal)
            || field.StartsWith("pswp", StringComparison.Ordinal) || (field.StartsWith("pg", StringComparison.Ordinal) && field.IndexOf("fault", 2, StringComparison.Ordinal) >= 0);
        var entry = (key.ToArray(), selected ? "node_vmstat_" + field : null, $"/proc/vmstat information field {field}.");
        _names[index] = entry;
        return (entry.Item2, entry.Item3);
    }
}
