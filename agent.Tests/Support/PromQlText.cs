using System.Text;

namespace Agent.Tests.Support;

/// <summary>
/// The two edits a dashboard test makes to a panel's PromQL: Grafana's template variable
/// substitution, and a label matcher added to every vector selector (for dashboards whose
/// queries do not select by job or instance, so that two sources on one Prometheus can be told
/// apart). A scanner, not a parser: enough for the expressions dashboards hold.
/// </summary>
public static class PromQlText
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
    };

    /// <summary>Aggregation operators: "sum by (x) (...)" puts a keyword, not "(", after the name.</summary>
    private static readonly HashSet<string> Aggregations = new(StringComparer.Ordinal)
    {
        "sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values",
    };

    /// <summary>Keywords followed by a parenthesised label list (optional after group_left/group_right).</summary>
    private static readonly HashSet<string> LabelListKeywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right",
    };

    /// <summary>Replaces $name and ${name} with their values, longest names first; fails on any variable left.</summary>
    public static string Substitute(string expr, IReadOnlyDictionary<string, string> values)
    {
        var result = expr;
        foreach (var (name, value) in values.OrderByDescending(v => v.Key.Length))
        {
            result = result.Replace("${" + name + "}", value, StringComparison.Ordinal).Replace("$" + name, value, StringComparison.Ordinal);
        }
        var left = result.IndexOf('$', StringComparison.Ordinal);
        if (left >= 0) throw new ArgumentException($"unresolved variable at {left} in: {result} (from: {expr})");
        return result;
    }

    /// <summary>Adds <paramref name="matcher"/> (e.g. job="node") to every vector selector.</summary>
    public static string AddMatcher(string expr, string matcher)
    {
        var output = new StringBuilder(expr.Length + 32);
        Scan(expr, output, matcher, null);
        return output.ToString();
    }

    /// <summary>The metric names the expression selects.</summary>
    public static SortedSet<string> MetricNames(string expr)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        Scan(expr, null, null, names);
        return names;
    }

    private static void Scan(string expr, StringBuilder? output, string? matcher, SortedSet<string>? names)
    {
        var i = 0;
        var labelListNext = false;
        while (i < expr.Length)
        {
            var c = expr[i];
            if (c is '"' or '\'' or '`')
            {
                var end = SkipString(expr, i);
                output?.Append(expr, i, end - i);
                i = end;
                continue;
            }
            if (c == '[')
            {
                var end = expr.IndexOf(']', i);
                if (end < 0) throw new ArgumentException($"unclosed [ at {i} in: {expr}");
                output?.Append(expr, i, end + 1 - i);
                i = end + 1;
                continue;
            }
            if (c == '{')
            {
                // A selector without a metric name ({job="x"}): scope it too.
                var end = SkipBraces(expr, i);
                AppendSelector(expr, i, end, output, matcher);
                i = end;
                continue;
            }
            if (c == '(' && labelListNext)
            {
                var end = expr.IndexOf(')', i);
                if (end < 0) throw new ArgumentException($"unclosed ( at {i} in: {expr}");
                output?.Append(expr, i, end + 1 - i);
                i = end + 1;
                labelListNext = false;
                continue;
            }
            if (char.IsAsciiDigit(c))
            {
                // A number (1e3, 0x1F, 5m after offset): never a metric name.
                var start = i;
                while (i < expr.Length && (char.IsAsciiLetterOrDigit(expr[i]) || expr[i] is '.' or '_')) i++;
                output?.Append(expr, start, i - start);
                labelListNext = false;
                continue;
            }
            if (char.IsAsciiLetter(c) || c is '_' or ':')
            {
                var start = i;
                while (i < expr.Length && (char.IsAsciiLetterOrDigit(expr[i]) || expr[i] is '_' or ':')) i++;
                var word = expr[start..i];
                output?.Append(word);
                var next = i;
                while (next < expr.Length && char.IsWhiteSpace(expr[next])) next++;
                var follows = next < expr.Length ? expr[next] : '\0';
                if (Keywords.Contains(word))
                {
                    labelListNext = LabelListKeywords.Contains(word);
                    continue;
                }
                labelListNext = false;
                if (follows == '(' || Aggregations.Contains(word)) continue; // a function call or an aggregation
                names?.Add(word);
                if (follows == '{')
                {
                    output?.Append(expr, i, next - i);
                    var end = SkipBraces(expr, next);
                    AppendSelector(expr, next, end, output, matcher);
                    i = end;
                }
                else if (matcher is not null)
                {
                    output?.Append('{').Append(matcher).Append('}');
                }
                continue;
            }
            if (!char.IsWhiteSpace(c)) labelListNext = false;
            output?.Append(c);
            i++;
        }
    }

    /// <summary>Copies the selector braces from <paramref name="open"/> to <paramref name="end"/>, with the matcher first inside.</summary>
    private static void AppendSelector(string expr, int open, int end, StringBuilder? output, string? matcher)
    {
        if (output is null) return;
        var inner = expr[(open + 1)..(end - 1)];
        output.Append('{');
        if (matcher is not null)
        {
            output.Append(matcher);
            if (inner.Trim().Length > 0) output.Append(',');
        }
        output.Append(inner).Append('}');
    }

    private static int SkipBraces(string expr, int open)
    {
        var i = open + 1;
        while (i < expr.Length && expr[i] != '}')
        {
            i = expr[i] is '"' or '\'' or '`' ? SkipString(expr, i) : i + 1;
        }
        if (i >= expr.Length) throw new ArgumentException($"unclosed {{ at {open} in: {expr}");
        return i + 1;
    }

    private static int SkipString(string expr, int open)
    {
        var quote = expr[open];
        var i = open + 1;
        while (i < expr.Length && expr[i] != quote) i += expr[i] == '\\' && quote != '`' ? 2 : 1;
        if (i >= expr.Length) throw new ArgumentException($"unclosed {quote} at {open} in: {expr}");
        return i + 1;
    }
}
