using System.Globalization;
using System.Text;
using Agent.Pipeline;

namespace Agent.Collectors;

/// <summary>
/// Parses Prometheus text exposition (0.0.4) into families, strictly: a malformed line is an
/// error naming its line number, never a silently wrong series. Histogram and summary
/// series (_bucket, _sum, _count) become untyped families of their own names.
/// </summary>
public static class TextFormatParser
{
    public static bool TryParse(string text, List<MetricFamily> into, out string? error)
    {
        error = null;
        var byName = new Dictionary<string, MetricFamily>(StringComparer.Ordinal);
        var help = new Dictionary<string, string>(StringComparer.Ordinal);
        var types = new Dictionary<string, MetricType>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0) continue;
            if (line[0] == '#')
            {
                var parts = line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 3 && parts[1] == "HELP")
                {
                    help[parts[2]] = parts.Length == 4 ? parts[3].Replace("\\n", "\n").Replace("\\\\", "\\") : "";
                }
                else if (parts.Length >= 4 && parts[1] == "TYPE")
                {
                    types[parts[2]] = parts[3] switch
                    {
                        "counter" => MetricType.Counter,
                        "gauge" => MetricType.Gauge,
                        _ => MetricType.Untyped,
                    };
                }
                continue;
            }
            if (!TryParseSample(line, out var name, out var labels, out var value, out var problem))
            {
                error = $"line {lineNumber}: {problem}";
                return false;
            }
            if (!byName.TryGetValue(name, out var family))
            {
                family = new MetricFamily(name, help.GetValueOrDefault(name, ""), types.GetValueOrDefault(name, MetricType.Untyped));
                byName[name] = family;
                into.Add(family);
            }
            family.Add(labels, value);
        }
        return true;
    }

    private static bool TryParseSample(string line, out string name, out Label[] labels, out double value, out string problem)
    {
        labels = Labels.Empty;
        value = 0;
        problem = "";
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':')) i++;
        name = line[..i];
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            problem = "invalid metric name";
            return false;
        }
        if (i < line.Length && line[i] == '{')
        {
            var list = new List<Label>();
            i++;
            while (true)
            {
                while (i < line.Length && line[i] is ' ' or ',') i++;
                if (i < line.Length && line[i] == '}') { i++; break; }
                var start = i;
                while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] == '_')) i++;
                var labelName = line[start..i];
                if (labelName.Length == 0 || char.IsAsciiDigit(labelName[0]) || i + 1 >= line.Length || line[i] != '=' || line[i + 1] != '"')
                {
                    problem = $"invalid label at column {start + 1}";
                    return false;
                }
                i += 2;
                var sb = new StringBuilder();
                while (i < line.Length && line[i] != '"')
                {
                    if (line[i] == '\\' && i + 1 < line.Length)
                    {
                        i++;
                        sb.Append(line[i] switch { 'n' => '\n', _ => line[i] });
                    }
                    else
                    {
                        sb.Append(line[i]);
                    }
                    i++;
                }
                if (i >= line.Length)
                {
                    problem = $"unterminated value of label {labelName}";
                    return false;
                }
                i++;
                if (list.Exists(l => l.Name == labelName))
                {
                    problem = $"duplicate label {labelName}";
                    return false;
                }
                list.Add(new Label(labelName, sb.ToString()));
            }
            labels = Labels.Sorted(list);
        }
        var rest = line[i..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length == 0)
        {
            problem = "missing value";
            return false;
        }
        if (rest.Length > 1)
        {
            problem = "timestamps are not allowed here";
            return false;
        }
        switch (rest[0])
        {
            case "+Inf": value = double.PositiveInfinity; return true;
            case "-Inf": value = double.NegativeInfinity; return true;
            case "NaN": value = double.NaN; return true;
        }
        if (!double.TryParse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            problem = $"invalid value \"{rest[0]}\"";
            return false;
        }
        return true;
    }
}
