namespace Agent.Serving.Web;

/// <summary>One value of the YAML subset: a scalar, a mapping or a list of scalars, with the line it starts on.</summary>
public sealed class YamlNode(int line)
{
    public int Line { get; } = line;
    public string? Scalar { get; init; }
    public List<(string Key, int Line, YamlNode Value)>? Mapping { get; init; }
    public List<YamlNode>? Sequence { get; init; }
    /// <summary>A key with nothing after its colon and no block below it.</summary>
    public bool IsNull => Scalar is null && Mapping is null && Sequence is null;
}

/// <summary>A line of the file that is not in the subset, or not what the key wants.</summary>
public sealed class YamlException(int line, string message) : Exception(message)
{
    public int Line { get; } = line;
}

/// <summary>
/// The block-style YAML that web config files are written in: nested mappings by indentation,
/// lists of scalars ("- item"), plain, 'single' and "double" quoted scalars, comments, and {} /
/// [] for empty. Anchors, tags, multi-line and flow collections are refused with the line, never
/// guessed at: a file that parsed differently here than in Prometheus would open the endpoint
/// wider than its author meant. Read once per change of a small file, so clarity beats speed.
/// </summary>
public static class YamlSubset
{
    public static YamlNode Parse(string text)
    {
        var lines = new List<(int Number, int Indent, string Text)>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = StripComment(raw.TrimEnd('\r')).TrimEnd();
            if (line.Trim().Length == 0) continue;
            var indent = 0;
            while (indent < line.Length && line[indent] == ' ') indent++;
            if (line[indent] == '\t') throw new YamlException(number, "a tab indents this line (YAML indents with spaces only)");
            var content = line[indent..];
            if (content is "---" && lines.Count == 0) continue;
            if (content is "---" or "...") throw new YamlException(number, "a second YAML document is not supported");
            lines.Add((number, indent, content));
        }
        if (lines.Count == 0) return new YamlNode(1) { Mapping = [] };
        if (lines[0].Indent != 0) throw new YamlException(lines[0].Number, "the first key must not be indented");
        var at = 0;
        var root = Block(lines, ref at, 0);
        if (at < lines.Count) throw new YamlException(lines[at].Number, "indented less than the key it belongs to, or more than its siblings");
        return root;
    }

    private static YamlNode Block(List<(int Number, int Indent, string Text)> lines, ref int at, int indent)
    {
        var first = lines[at];
        if (first.Text.StartsWith("- ", StringComparison.Ordinal) || first.Text == "-")
        {
            var items = new List<YamlNode>();
            while (at < lines.Count && lines[at].Indent == indent && (lines[at].Text.StartsWith("- ", StringComparison.Ordinal) || lines[at].Text == "-"))
            {
                var (n, _, t) = lines[at++];
                var item = t.Length > 1 ? t[2..].Trim() : "";
                if (item.Length == 0 || item.EndsWith(':') || item.Contains(": ", StringComparison.Ordinal))
                {
                    throw new YamlException(n, "list items must be single values here");
                }
                items.Add(new YamlNode(n) { Scalar = Scalar(item, n) });
            }
            return new YamlNode(first.Number) { Sequence = items };
        }
        var mapping = new List<(string, int, YamlNode)>();
        while (at < lines.Count && lines[at].Indent == indent)
        {
            var (n, _, t) = lines[at++];
            var (key, rest) = KeyValue(t, n);
            foreach (var (existing, line, _) in mapping)
            {
                if (existing == key) throw new YamlException(n, $"\"{key}\" is already set on line {line}");
            }
            YamlNode value;
            if (rest.Length > 0)
            {
                value = rest switch
                {
                    "{}" => new YamlNode(n) { Mapping = [] },
                    "[]" => new YamlNode(n) { Sequence = [] },
                    _ => new YamlNode(n) { Scalar = Scalar(rest, n) },
                };
            }
            else if (at < lines.Count && lines[at].Indent > indent)
            {
                value = Block(lines, ref at, lines[at].Indent);
            }
            else if (at < lines.Count && lines[at].Indent == indent && lines[at].Text.StartsWith('-'))
            {
                // YAML lets a list under a key start at the key's own indentation.
                value = Block(lines, ref at, indent);
            }
            else
            {
                value = new YamlNode(n);
            }
            mapping.Add((key, n, value));
        }
        if (at < lines.Count && lines[at].Indent > indent) throw new YamlException(lines[at].Number, "indented more than the keys before it");
        return new YamlNode(first.Number) { Mapping = mapping };
    }

    private static (string Key, string Value) KeyValue(string text, int line)
    {
        string key;
        int after;
        if (text[0] is '"' or '\'')
        {
            var close = text.IndexOf(text[0], 1);
            if (close < 0) throw new YamlException(line, "a quoted key is not closed");
            key = Scalar(text[..(close + 1)], line);
            after = close + 1;
            if (after >= text.Length || text[after] != ':') throw new YamlException(line, "a key must be followed by ':'");
        }
        else
        {
            var colon = text.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0 && text.EndsWith(':')) colon = text.Length - 1;
            if (colon <= 0) throw new YamlException(line, text.StartsWith('-') ? "a list where a key was expected" : "expected \"key: value\"");
            key = text[..colon].Trim();
            after = colon;
        }
        var rest = text[(after + 1)..].Trim();
        return (key, rest);
    }

    private static string Scalar(string text, int line)
    {
        if (text[0] == '"')
        {
            if (text.Length < 2 || text[^1] != '"') throw new YamlException(line, "a double-quoted value is not closed on its line");
            var inner = text[1..^1];
            var result = new System.Text.StringBuilder(inner.Length);
            for (var i = 0; i < inner.Length; i++)
            {
                if (inner[i] != '\\')
                {
                    result.Append(inner[i]);
                    continue;
                }
                if (++i >= inner.Length) throw new YamlException(line, "a value ends with a lone backslash");
                result.Append(inner[i] switch
                {
                    '\\' => '\\',
                    '"' => '"',
                    '/' => '/',
                    'n' => '\n',
                    't' => '\t',
                    _ => throw new YamlException(line, $"escape \\{inner[i]} is not supported"),
                });
            }
            return result.ToString();
        }
        if (text[0] == '\'')
        {
            if (text.Length < 2 || text[^1] != '\'') throw new YamlException(line, "a single-quoted value is not closed on its line");
            return text[1..^1].Replace("''", "'", StringComparison.Ordinal);
        }
        if (text[0] is '&' or '*' or '!' or '|' or '>' or '{' or '[' or '%' or '@' or '`')
        {
            throw new YamlException(line, $"values starting with '{text[0]}' (anchors, tags, block or flow style) are not supported: quote the value");
        }
        return text;
    }

    /// <summary>Cuts a # comment: at the start of a line or after a space, and not inside quotes.</summary>
    private static string StripComment(string line)
    {
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == '\\' && quote == '"') i++;
                else if (c == quote) quote = '\0';
            }
            else if (c is '"' or '\'' && (i == 0 || line[i - 1] is ' ' or ':' or '-'))
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || line[i - 1] == ' '))
            {
                return line[..i];
            }
        }
        return line;
    }
}
