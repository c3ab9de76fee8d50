using System.Text;
using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's hwmon collector (the common sensor types): temperatures, fans, voltages,
/// currents, power and energy from /sys/class/hwmon/hwmon*, chips named by their device path
/// (platform_coretemp_0) with node_hwmon_chip_names and node_hwmon_sensor_label annotations.
/// Hosts without sensors (VMs) report nothing.
/// </summary>
public sealed class HwmonCollector(HostPaths paths) : ICollector
{
    private readonly string _root = paths.SysFile("class/hwmon");
    private readonly ProcFileReader _reader = new(128);

    public string Name => "hwmon";

    public void Collect(List<MetricFamily> into)
    {
        if (!Directory.Exists(_root)) return;
        var families = new SortedDictionary<string, MetricFamily>(StringComparer.Ordinal);
        MetricFamily Family(string name, string help) =>
            families.TryGetValue(name, out var f) ? f : families[name] = new MetricFamily(name, help, name.EndsWith("_total", StringComparison.Ordinal) ? MetricType.Counter : MetricType.Gauge);

        foreach (var dir in Directory.EnumerateDirectories(_root).Order(StringComparer.Ordinal))
        {
            var chip = ChipName(dir);
            var chipName = Clean(Text(Path.Combine(dir, "name")));
            if (chipName.Length > 0) Family("node_hwmon_chip_names", "Annotation metric for human-readable chip names").Add(Labels.Sorted([new("chip", chip), new("chip_name", chipName)]), 1);
            foreach (var file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
            {
                var fileName = Path.GetFileName(file);
                if (!TrySplit(fileName, out var type, out var sensor, out var element)) continue;
                Label[] labels = Labels.Sorted([new("chip", chip), new("sensor", sensor)]);
                if (element == "label")
                {
                    var label = Text(file);
                    if (label.Length > 0) Family("node_hwmon_sensor_label", "Label for given chip and sensor").Add(Labels.Sorted([new("chip", chip), new("label", label), new("sensor", sensor)]), 1);
                    continue;
                }
                if (!_reader.TryRead(file, out var content) || !ProcNumbers.TryParseDouble(content, out var raw)) continue;
                var prefix = "node_hwmon_" + type + (element == "input" ? "" : "_" + element);
                switch (type)
                {
                    case "temp" when element != "type":
                        if (element is "alarm" or "fault") Family(prefix, $"Hardware sensor {element} status ({type})").Add(labels, raw);
                        else Family(prefix + "_celsius", $"Hardware monitor for temperature ({element})").Add(labels, raw / 1000);
                        break;
                    case "in":
                        if (element is "alarm" or "fault") Family(prefix, $"Hardware sensor {element} status ({type})").Add(labels, raw);
                        else Family(prefix + "_volts", $"Hardware monitor for voltage ({element})").Add(labels, raw / 1000);
                        break;
                    case "fan" when element is "input" or "min" or "max" or "target":
                        Family(prefix + "_rpm", $"Hardware monitor for fan revolutions per minute ({element})").Add(labels, raw);
                        break;
                    case "curr" when element is not ("alarm" or "fault"):
                        Family(prefix + "_amps", $"Hardware monitor for current ({element})").Add(labels, raw / 1000);
                        break;
                    case "power" when element is "input" or "average" or "cap" or "max" or "crit":
                        Family(prefix + "_watt", $"Hardware monitor for power usage in watts ({element})").Add(labels, raw / 1e6);
                        break;
                    case "energy" when element == "input":
                        Family(prefix + "_joule_total", $"Hardware monitor for joules used so far ({element})").Add(labels, raw / 1e6);
                        break;
                }
            }
        }
        into.AddRange(families.Values);
    }

    /// <summary>"temp1_input" → (temp, temp1, input); "fan2_min" → (fan, fan2, min).</summary>
    internal static bool TrySplit(string fileName, out string type, out string sensor, out string element)
    {
        type = sensor = element = "";
        var digits = 0;
        while (digits < fileName.Length && !char.IsAsciiDigit(fileName[digits])) digits++;
        var underscore = fileName.IndexOf('_', digits);
        if (digits == 0 || digits == fileName.Length || underscore < 0) return false;
        type = fileName[..digits];
        if (type is not ("temp" or "in" or "fan" or "curr" or "power" or "energy")) return false;
        sensor = fileName[..underscore];
        element = fileName[(underscore + 1)..];
        return sensor.Length > type.Length && sensor[type.Length..].All(char.IsAsciiDigit);
    }

    /// <summary>Stable chip name from the device path (bus type and device), else the name file, else hwmonN.</summary>
    private static string ChipName(string dir)
    {
        try
        {
            var device = new DirectoryInfo(Path.Combine(dir, "device")).ResolveLinkTarget(returnFinalTarget: true);
            if (device is not null)
            {
                var name = Clean(device.Name);
                var type = Clean(Path.GetFileName(Path.GetDirectoryName(device.FullName)) ?? "");
                if (name.Length > 0) return type.Length > 0 ? type + "_" + name : name;
            }
        }
        catch (IOException)
        {
        }
        return Clean(Path.GetFileName(dir));
    }

    private string Text(string path) => _reader.TryRead(path, out var content) ? Encoding.UTF8.GetString(content.Trim(" \t\r\n"u8)) : "";

    /// <summary>node_exporter's cleanMetricName: lower case, [^a-z0-9:_] → _, trimmed of _.</summary>
    internal static string Clean(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant()) sb.Append(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is ':' or '_' ? c : '_');
        return sb.ToString().Trim('_');
    }
}
