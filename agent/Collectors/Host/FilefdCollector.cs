using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Host;

/// <summary>node_exporter's filefd collector: /proc/sys/fs/file-nr (allocated, unused, maximum).</summary>
public sealed class FilefdCollector(HostPaths paths) : ICollector
{
    private readonly string _path = paths.ProcFile("sys/fs/file-nr");
    private readonly ProcFileReader _reader = new(128);

    public string Name => "filefd";

    public void Collect(List<Pipeline.MetricFamily> into)
    {
        if (!_reader.TryRead(_path, out var content)) throw new IOException($"cannot read {_path}");
        var fields = new FieldEnumerator(content);
        if (!fields.MoveNext() || !ProcNumbers.TryParseLong(fields.Current, out var allocated)) throw new InvalidDataException($"unexpected {_path}");
        if (!fields.MoveNext() || !fields.MoveNext() || !ProcNumbers.TryParseLong(fields.Current, out var maximum)) throw new InvalidDataException($"unexpected {_path}");
        into.AddGauge("node_filefd_allocated", "File descriptor statistics: allocated.", allocated);
        into.AddGauge("node_filefd_maximum", "File descriptor statistics: maximum.", maximum);
    }
}
