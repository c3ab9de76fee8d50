using System.Text;
using Agent.Collectors.Exposition;
using Xunit;

namespace Agent.Tests.Support;

/// <summary>
/// Another exporter's /metrics (or ours) as dictionaries, for parity comparisons. Read with the
/// agent's own <see cref="ExpositionReader"/>, so the tests exercise the one parser the agent has.
/// </summary>
public static class ExpositionText
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

    public static Dictionary<string, Family> Parse(string text, ExpositionFormat format = ExpositionFormat.Text)
    {
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        Family Get(string name) => families.TryGetValue(name, out var f) ? f : families[name] = new Family(name);
        var reader = new ExpositionReader(Encoding.UTF8.GetBytes(text), format);
        var names = new StringPool();
        var labels = new List<Agent.Pipeline.Label>();
        while (reader.Read())
        {
            var name = Encoding.ASCII.GetString(reader.Name);
            switch (reader.Kind)
            {
                case ExpositionEntryKind.Help:
                    Get(name).Help = reader.HelpText();
                    continue;
                case ExpositionEntryKind.Type:
                    Get(name).Type = Encoding.ASCII.GetString(reader.Text);
                    continue;
                case ExpositionEntryKind.Unit:
                    continue;
            }
            labels.Clear();
            Assert.True(ExpositionReader.TryReadLabels(reader.LabelText, labels, 0, names, out var error), error);
            Get(name).Samples.Add(new Sample(labels.ToDictionary(l => l.Name, l => l.Value), reader.Value));
        }
        Assert.True(reader.Error is null, reader.Error);
        return families;
    }
}
