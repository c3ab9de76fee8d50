using System.Text;
using Agent.Config;
using Agent.Pipeline;

namespace Agent.Collectors.Scrape;

/// <summary>
/// A job's metric_relabel rules, applied in order to a series' final labels (after job and
/// instance are set, as Prometheus does): keep and drop decide on the source labels joined by
/// the separator, labeldrop removes labels by name. Only new series get here: a scrape reuses
/// the verdict of every series it saw before, so regexes never run per sample.
/// </summary>
public sealed class MetricRelabeler(IReadOnlyList<MetricRelabelConfig> rules)
{
    private readonly StringBuilder _joined = new();

    public bool IsEmpty => rules.Count == 0;

    /// <summary>False when the series is dropped; labeldrop edits <paramref name="labels"/> in place.</summary>
    public bool Keep(string name, List<Label> labels)
    {
        foreach (var rule in rules)
        {
            var regex = rule.RegexValue!;
            if (rule.Action == "labeldrop")
            {
                labels.RemoveAll(l => regex.IsMatch(l.Name));
                continue;
            }
            _joined.Clear();
            for (var i = 0; i < rule.SourceLabels.Count; i++)
            {
                if (i > 0) _joined.Append(rule.Separator);
                _joined.Append(ValueOf(rule.SourceLabels[i], name, labels));
            }
            var match = regex.IsMatch(_joined.ToString());
            if (rule.Action == "keep" ? !match : match) return false;
        }
        return true;
    }

    private static string ValueOf(string label, string name, List<Label> labels)
    {
        if (label == "__name__") return name;
        foreach (var l in labels)
        {
            if (l.Name == label) return l.Value;
        }
        return "";
    }
}
