namespace Agent.Tests.Support;

/// <summary>
/// A Grafana dashboard's queries as checked in under fixtures/dashboards: "#" header lines
/// (the first names the source and its license), "var" lines for template variables, and one
/// "panel title TAB refId TAB PromQL" line per panel target.
/// </summary>
public sealed class DashboardFixture
{
    public sealed record Query(string Panel, string RefId, string Expr)
    {
        public string Key => $"{Panel} [{RefId}]";
    }

    private DashboardFixture(string name, string source, Dictionary<string, string> variables, List<Query> queries)
    {
        Name = name;
        Source = source;
        Variables = variables;
        Queries = queries;
    }

    public string Name { get; }

    /// <summary>The first header line: where the queries come from and under which license.</summary>
    public string Source { get; }

    /// <summary>Template variable name to its definition in the dashboard (documentation: the test resolves them).</summary>
    public IReadOnlyDictionary<string, string> Variables { get; }

    public IReadOnlyList<Query> Queries { get; }

    public static DashboardFixture Load(string fileName)
    {
        var path = Fixtures.Path("dashboards", fileName);
        string? source = null;
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var queries = new List<Query>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0) continue;
            if (line[0] == '#')
            {
                source ??= line.TrimStart('#', ' ');
                continue;
            }
            var fields = line.Split('\t');
            if (fields.Length != 3 || fields.Any(f => f.Length == 0))
            {
                throw new FormatException($"{path}:{number}: expected three non-empty tab-separated fields, found {fields.Length}: {line}");
            }
            if (fields[0] == "var")
            {
                if (!variables.TryAdd(fields[1], fields[2])) throw new FormatException($"{path}:{number}: variable {fields[1]} defined twice");
                continue;
            }
            var query = new Query(fields[0], fields[1], fields[2]);
            if (!keys.Add(query.Key)) throw new FormatException($"{path}:{number}: {query.Key} appears twice");
            queries.Add(query);
        }
        if (source is null) throw new FormatException($"{path}: no header line naming the source");
        return new DashboardFixture(fileName, source, variables, queries);
    }
}
