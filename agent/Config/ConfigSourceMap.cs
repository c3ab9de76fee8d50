using System.Text;
using Tomlyn.Syntax;

namespace Agent.Config;

/// <summary>
/// Where each key of an agent.toml stands, by its dotted path with table-array indices
/// ("remote_write[1].url"). Built from Tomlyn's syntax tree so that every config error,
/// including those found after deserialization, names file, line and column.
/// </summary>
public sealed class ConfigSourceMap
{
    private readonly Dictionary<string, Position> _keys = new(StringComparer.Ordinal);
    private readonly List<(int Start, int End, string Path)> _values = [];

    /// <summary>1-based line and column.</summary>
    public readonly record struct Position(int Line, int Column);

    public static ConfigSourceMap Build(DocumentSyntax document)
    {
        var map = new ConfigSourceMap();
        var arrayIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        map.AddKeyValues(document.KeyValues, "");
        foreach (var table in document.Tables)
        {
            if (table.Name is null) continue;
            var segments = KeySegments(table.Name);
            var isArray = table is TableArraySyntax;
            var raw = new StringBuilder();
            var resolved = new StringBuilder();
            for (var i = 0; i < segments.Count; i++)
            {
                if (i > 0) { raw.Append('.'); resolved.Append('.'); }
                raw.Append(segments[i]);
                resolved.Append(segments[i]);
                var rawPath = raw.ToString();
                if (isArray && i == segments.Count - 1)
                {
                    // Counted per parent element: the first [[scrape.metric_relabel]] of scrape[1] is metric_relabel[0].
                    var counter = resolved.ToString();
                    var next = arrayIndex.TryGetValue(counter, out var current) ? current + 1 : 0;
                    arrayIndex[counter] = next;
                    arrayIndex[rawPath] = next;
                    resolved.Append('[').Append(next).Append(']');
                }
                else if (arrayIndex.TryGetValue(rawPath, out var index))
                {
                    resolved.Append('[').Append(index).Append(']');
                }
            }
            var prefix = resolved.ToString();
            map._keys.TryAdd(prefix, ToPosition(table.Name.Span.Start));
            map.AddKeyValues(table.Items, prefix);
        }
        return map;
    }

    /// <summary>The position of a key, or of its nearest enclosing table when the key itself is not written.</summary>
    public Position? Find(string path)
    {
        while (true)
        {
            if (_keys.TryGetValue(path, out var position)) return position;
            var cut = path.LastIndexOfAny(['.', '[']);
            if (cut <= 0) return null;
            path = path[..cut];
        }
    }

    /// <summary>The key whose value covers a 1-based position (used to name the key in Tomlyn's type errors).</summary>
    public string? KeyAt(int line, int column, string text)
    {
        var offset = GroupedTables.OffsetOf(text, line, column);
        string? best = null;
        var bestWidth = int.MaxValue;
        foreach (var (start, end, path) in _values)
        {
            if (offset >= start && offset <= end && end - start < bestWidth)
            {
                best = path;
                bestWidth = end - start;
            }
        }
        return best;
    }

    private void AddKeyValues(IEnumerable<KeyValueSyntax> items, string prefix)
    {
        foreach (var kv in items)
        {
            if (kv.Key is null) continue;
            var path = Join(prefix, string.Join('.', KeySegments(kv.Key)));
            _keys.TryAdd(path, ToPosition(kv.Key.Span.Start));
            if (kv.Value is { } value)
            {
                _values.Add((value.Span.Start.Offset, value.Span.End.Offset, path));
                if (value is InlineTableSyntax inline)
                {
                    var nested = new List<KeyValueSyntax>();
                    foreach (var item in inline.Items)
                    {
                        if (item.KeyValue is { } inner) nested.Add(inner);
                    }
                    AddKeyValues(nested, path);
                }
            }
        }
    }

    internal static List<string> KeySegments(KeySyntax key)
    {
        var segments = new List<string> { KeyText(key.Key) };
        foreach (var dotted in key.DotKeys)
        {
            segments.Add(KeyText(dotted.Key));
        }
        return segments;
    }

    private static string KeyText(SyntaxNode? node) => node switch
    {
        BareKeySyntax bare => bare.Key?.Text ?? "",
        StringValueSyntax quoted => quoted.Value ?? "",
        _ => node?.ToString()?.Trim() ?? "",
    };

    private static string Join(string prefix, string key) => prefix.Length == 0 ? key : prefix + "." + key;

    private static Position ToPosition(TextPosition p) => new(p.Line + 1, p.Column + 1);
}
