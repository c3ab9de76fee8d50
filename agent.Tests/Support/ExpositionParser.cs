using System.Globalization;
using System.Text;

namespace Agent.Tests.Support;

/// <summary>A Prometheus text-format (0.0.4) parser for comparing our output with reference exporters.</summary>
public static class ExpositionParser
{
    public sealed record Sample(Dictionary<string, string> Labels, double Value);

    public sealed class Family(string name)
    {
        public string Name { get; } = name;
        public string Help { get; set; } = "";
        public string Type { get; set; } = "untyped";
        public List<Sample> Samples { get; } = [];

        public SortedSet<string> LabelNames => new(Samples.SelectMany(s => s.Labels.Keys), StringComparer.Ordinal);
    }

    public static Dictionary<string, Family> Parse(string text)
    {
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        Family Get(string name) => families.TryGetValue(name, out var f) ? f : families[name] = new Family(name);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var rest = line[7..];
                var sp = rest.IndexOf(' ');
                Get(sp < 0 ? rest : rest[..sp]).Help = sp < 0 ? "" : Unescape(rest[(sp + 1)..], quotes: false);
                continue;
            }
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line[7..].Split(' ');
                Get(parts[0]).Type = parts[1];
                continue;
            }
            if (line.StartsWith('#')) continue;
            var (name, labels, valueText) = SplitSample(line);
            var value = valueText switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            Get(name).Samples.Add(new Sample(labels, value));
        }
        return families;
    }

    private static (string Name, Dictionary<string, string> Labels, string Value) SplitSample(string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var brace = line.IndexOf('{');
        var space = line.IndexOf(' ');
        if (brace < 0 || (space >= 0 && space < brace))
        {
            return (line[..space], labels, line[(space + 1)..].Split(' ')[0]);
        }
        var name = line[..brace];
        var i = brace + 1;
        while (line[i] != '}')
        {
            if (line[i] == ',') { i++; continue; }
            var eq = line.IndexOf('=', i);
            var labelName = line[i..eq].Trim();
            i = eq + 2;
            var value = new StringBuilder();
            while (line[i] != '"')
            {
                if (line[i] == '\\')
                {
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                }
                else
                {
                    value.Append(line[i]);
                }
                i++;
            }
            labels[labelName] = value.ToString();
            i++;
        }
        return (name, labels, line[(i + 1)..].Trim().Split(' ')[0]);
    }

    private static string Unescape(string text, bool quotes) =>
        text.Replace("\\n", "\n").Replace("\\\\", "\\") is var s && quotes ? s.Replace("\\\"", "\"") : text.Replace("\\n", "\n").Replace("\\\\", "\\");
}
