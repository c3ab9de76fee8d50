using System.Globalization;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's os collector: node_os_info and node_os_version from os-release under the
/// root path (/etc/os-release, then /usr/lib/os-release). Re-read only when the file changes.
/// </summary>
public sealed class OsCollector(HostPaths paths) : ICollector
{
    private static readonly string[] InfoKeys = ["BUILD_ID", "ID", "ID_LIKE", "IMAGE_ID", "IMAGE_VERSION", "NAME", "PRETTY_NAME", "VARIANT", "VARIANT_ID", "VERSION", "VERSION_CODENAME", "VERSION_ID"];
    private readonly string[] _candidates = [Path.Combine(paths.Root, "etc/os-release"), Path.Combine(paths.Root, "usr/lib/os-release")];
    private (string Path, DateTime Modified, MetricFamily Info, MetricFamily Version)? _cached;

    public string Name => "os";

    public void Collect(List<MetricFamily> into)
    {
        foreach (var path in _candidates)
        {
            DateTime modified;
            try { modified = File.GetLastWriteTimeUtc(path); }
            catch (IOException) { continue; }
            if (!File.Exists(path)) continue;
            if (_cached is not { } c || c.Path != path || c.Modified != modified) _cached = Parse(path, modified);
            into.Add(_cached.Value.Info);
            into.Add(_cached.Value.Version);
            return;
        }
    }

    private static (string, DateTime, MetricFamily, MetricFamily) Parse(string path, DateTime modified)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            var eq = line.IndexOf('=');
            if (line.StartsWith('#') || eq <= 0) continue;
            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0]) value = value[1..^1];
            values[line[..eq]] = value.Replace("\\\"", "\"").Replace("\\$", "$").Replace("\\\\", "\\");
        }
        var info = new MetricFamily("node_os_info",
            "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
            MetricType.Gauge);
        info.Add(Labels.Sorted(InfoKeys.Select(k => new Label(k.ToLowerInvariant(), values.GetValueOrDefault(k, "")))), 1);
        var version = new MetricFamily("node_os_version", "Metric containing the major.minor part of the OS version.", MetricType.Gauge);
        version.Add(Labels.Sorted([new("id", values.GetValueOrDefault("ID", "")), new("id_like", values.GetValueOrDefault("ID_LIKE", "")), new("name", values.GetValueOrDefault("NAME", ""))]),
            MajorMinor(values.GetValueOrDefault("VERSION_ID", "")));
        return (path, modified, info, version);
    }

    /// <summary>"12" → 12, "22.04.3" → 22.04, anything else 0, as node_exporter does.</summary>
    private static double MajorMinor(string versionId)
    {
        var end = 0;
        var dots = 0;
        while (end < versionId.Length && (char.IsAsciiDigit(versionId[end]) || (versionId[end] == '.' && ++dots < 2))) end++;
        return double.TryParse(versionId.AsSpan(0, end), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }
}
