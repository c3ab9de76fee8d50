using System.Text;
using Agent.Pipeline;

namespace Agent.Collectors.Exposition;

/// <summary>
/// A whole exposition body as metric families, for the textfile collector and `check`-style
/// uses where every series is wanted at once (the scraper keeps its own per-series cache).
/// Samples are grouped by their own name: histogram and summary series (_bucket, _sum,
/// _count) become untyped families of those names. A duplicate series or, unless allowed,
/// a client-side timestamp makes the body invalid, as it does for node_exporter's textfile collector.
/// </summary>
public static class ExpositionFamilies
{
    public static bool TryParse(ReadOnlySpan<byte> body, ExpositionFormat format, List<MetricFamily> into, out string? error) =>
        TryParse(body, format, allowTimestamps: false, into, out error);

    public static bool TryParse(ReadOnlySpan<byte> body, ExpositionFormat format, bool allowTimestamps, List<MetricFamily> into, out string? error)
    {
        var byName = new Dictionary<string, MetricFamily>(StringComparer.Ordinal);
        var help = new Dictionary<string, string>(StringComparer.Ordinal);
        var types = new Dictionary<string, MetricType>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var names = new StringPool();
        var labels = new List<Label>();
        var added = new List<MetricFamily>();
        var reader = new ExpositionReader(body, format);
        while (reader.Read())
        {
            var name = names.Get(reader.Name);
            switch (reader.Kind)
            {
                case ExpositionEntryKind.Help:
                    help[name] = reader.HelpText();
                    continue;
                case ExpositionEntryKind.Type:
                    types[name] = TypeOf(reader.Text);
                    continue;
                case ExpositionEntryKind.Unit:
                    continue;
            }
            if (reader.HasTimestamp && !allowTimestamps)
            {
                error = $"line {reader.LineNumber}: timestamps are not allowed here";
                return false;
            }
            if (!seen.Add(Encoding.UTF8.GetString(reader.Series)))
            {
                error = $"line {reader.LineNumber}: duplicate series {Encoding.UTF8.GetString(reader.Series)}";
                return false;
            }
            labels.Clear();
            if (!ExpositionReader.TryReadLabels(reader.LabelText, labels, 0, names, out var labelError))
            {
                error = $"line {reader.LineNumber}: {labelError}";
                return false;
            }
            if (!byName.TryGetValue(name, out var family))
            {
                family = new MetricFamily(name, help.GetValueOrDefault(name, ""), types.GetValueOrDefault(name, MetricType.Untyped));
                byName[name] = family;
                added.Add(family);
            }
            family.Add(labels.Count == 0 ? Labels.Empty : Labels.Sorted(labels), reader.Value);
        }
        error = reader.Error;
        if (error is not null) return false;
        into.AddRange(added);
        return true;
    }

    public static MetricType TypeOf(ReadOnlySpan<byte> type) =>
        type.SequenceEqual("counter"u8) ? MetricType.Counter : type.SequenceEqual("gauge"u8) ? MetricType.Gauge : MetricType.Untyped;
}
