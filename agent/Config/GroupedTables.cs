using System.Text;
using Tomlyn.Syntax;

namespace Agent.Config;

/// <summary>
/// TOML lets a table array be split by other tables (<c>[[logs.files]]</c>, <c>[host]</c>,
/// <c>[[logs.files]]</c>), but Tomlyn's deserializer reads the text as one pass of events and
/// sees the second part as the same key again: "Duplicate key", or only the last entry kept.
/// So before deserializing, each table's text is moved next to its siblings (a stable sort on
/// the order in which every table path first appears; an array element keeps the sub-tables
/// that follow it), which changes no meaning. Positions in errors about the moved text are
/// mapped back to the file as written.
/// </summary>
internal sealed class GroupedTables
{
    private readonly string _original;
    private readonly List<Piece> _pieces;

    private readonly record struct Piece(int NewStart, int OldStart, int Length);

    private GroupedTables(string original, string text, List<Piece> pieces)
    {
        _original = original;
        Text = text;
        _pieces = pieces;
    }

    /// <summary>The text to deserialize: the original when its tables are already grouped.</summary>
    public string Text { get; }

    public static GroupedTables Of(DocumentSyntax document, string text)
    {
        var tables = new List<(int Start, List<int> Key)>();
        var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        var children = new Dictionary<string, int>(StringComparer.Ordinal);
        var arrayIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var table in document.Tables)
        {
            if (table.Name is null) continue;
            var segments = ConfigSourceMap.KeySegments(table.Name);
            var key = new List<int>(segments.Count + 2);
            var path = new StringBuilder();
            var parent = "";
            for (var i = 0; i < segments.Count; i++)
            {
                if (i > 0) path.Append('.');
                path.Append(segments[i]);
                var name = path.ToString();
                if (!ranks.TryGetValue(name, out var rank))
                {
                    rank = children.TryGetValue(parent, out var count) ? count : 0;
                    children[parent] = rank + 1;
                    ranks[name] = rank;
                }
                key.Add(rank);
                var last = i == segments.Count - 1;
                if (table is TableArraySyntax && last)
                {
                    var next = arrayIndex.TryGetValue(name, out var current) ? current + 1 : 0;
                    arrayIndex[name] = next;
                    key.Add(next);
                    path.Append('[').Append(next).Append(']');
                }
                else if (arrayIndex.TryGetValue(name, out var index))
                {
                    key.Add(index);
                    path.Append('[').Append(index).Append(']');
                }
                parent = path.ToString();
            }
            tables.Add((table.Span.Start.Offset, key));
        }

        var order = new List<int>(tables.Count);
        for (var i = 0; i < tables.Count; i++) order.Add(i);
        order.Sort((a, b) =>
        {
            var byKey = CompareKeys(tables[a].Key, tables[b].Key);
            return byKey != 0 ? byKey : a.CompareTo(b);
        });
        var moved = false;
        for (var i = 0; i < order.Count; i++) moved |= order[i] != i;
        if (!moved) return new GroupedTables(text, text, []);

        var builder = new StringBuilder(text.Length + tables.Count);
        var pieces = new List<Piece>(tables.Count + 1);
        var head = tables[0].Start;
        builder.Append(text, 0, head);
        pieces.Add(new Piece(0, 0, head));
        foreach (var i in order)
        {
            var start = tables[i].Start;
            var end = i + 1 < tables.Count ? tables[i + 1].Start : text.Length;
            pieces.Add(new Piece(builder.Length, start, end - start));
            builder.Append(text, start, end - start);
            // The file's last table may end without a newline; moved up, it would join the next header.
            if (end == text.Length && (end == start || text[end - 1] != '\n')) builder.Append('\n');
        }
        return new GroupedTables(text, builder.ToString(), pieces);
    }

    /// <summary>Maps a 1-based line and column in <see cref="Text"/> to the file as written.</summary>
    public (int Line, int Column) Original(int line, int column)
    {
        if (_pieces.Count == 0) return (line, column);
        var offset = OffsetOf(Text, line, column);
        var old = offset;
        foreach (var piece in _pieces)
        {
            if (offset >= piece.NewStart && offset < piece.NewStart + piece.Length)
            {
                old = piece.OldStart + offset - piece.NewStart;
                break;
            }
        }
        old = Math.Clamp(old, 0, _original.Length);
        var l = 1;
        var lineStart = 0;
        for (var i = 0; i < old; i++)
        {
            if (_original[i] != '\n') continue;
            l++;
            lineStart = i + 1;
        }
        return (l, old - lineStart + 1);
    }

    private static int CompareKeys(List<int> a, List<int> b)
    {
        var n = Math.Min(a.Count, b.Count);
        for (var i = 0; i < n; i++)
        {
            if (a[i] != b[i]) return a[i].CompareTo(b[i]);
        }
        return a.Count.CompareTo(b.Count);
    }

    internal static int OffsetOf(string text, int line, int column)
    {
        var offset = 0;
        for (var l = 1; l < line && offset < text.Length; l++)
        {
            var nl = text.IndexOf('\n', offset);
            if (nl < 0) return text.Length;
            offset = nl + 1;
        }
        return Math.Min(offset + Math.Max(column, 1) - 1, text.Length);
    }
}
