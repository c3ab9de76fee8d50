using System.Globalization;
using System.Text;

namespace Agent.Collectors.Process;

/// <summary>
/// process-exporter's group name template, the subset of Go text/template it documents:
/// literal text and {{.Comm}}, {{.ExeBase}}, {{.ExeFull}}, {{.Username}}, {{.PID}},
/// {{.Matches.name}}. Parsed once at config load; anything else is a config error.
/// </summary>
public sealed class NameTemplate
{
    private enum Field { Literal, Comm, ExeBase, ExeFull, Username, Pid, Match }

    private readonly (Field Field, string Text)[] _parts;

    private NameTemplate((Field, string)[] parts, bool usesUsername)
    {
        _parts = parts;
        UsesUsername = usesUsername;
    }

    public bool UsesUsername { get; }

    /// <summary>Names with {{.PID}} belong to one process: such a group ends when its process does.</summary>
    public bool UsesPid => _parts.Any(p => p.Field == Field.Pid);

    /// <summary>The capture names {{.Matches.x}} refers to, so the config can check its regexes define them.</summary>
    public IEnumerable<string> MatchNames => _parts.Where(p => p.Field == Field.Match).Select(p => p.Text);

    /// <exception cref="FormatException">An unknown field or an unclosed action, with the reason.</exception>
    public static NameTemplate Parse(string template)
    {
        var parts = new List<(Field, string)>();
        var at = 0;
        while (at < template.Length)
        {
            var open = template.IndexOf("{{", at, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add((Field.Literal, template[at..]));
                break;
            }
            if (open > at) parts.Add((Field.Literal, template[at..open]));
            var close = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0) throw new FormatException($"unclosed action at offset {open}");
            var action = template[(open + 2)..close].Trim();
            parts.Add(action switch
            {
                ".Comm" => (Field.Comm, ""),
                ".ExeBase" => (Field.ExeBase, ""),
                ".ExeFull" => (Field.ExeFull, ""),
                ".Username" => (Field.Username, ""),
                ".PID" => (Field.Pid, ""),
                _ when action.StartsWith(".Matches.", StringComparison.Ordinal) && IsIdentifier(action[9..]) => (Field.Match, action[9..]),
                _ => throw new FormatException($"unknown template field \"{{{{{action}}}}}\" (known: {{{{.Comm}}}}, {{{{.ExeBase}}}}, {{{{.ExeFull}}}}, {{{{.Username}}}}, {{{{.PID}}}}, {{{{.Matches.<name>}}}})"),
            });
            at = close + 2;
        }
        return new NameTemplate([.. parts], parts.Exists(p => p.Item1 == Field.Username));
    }

    public string Render(ProcessIdentity process, IReadOnlyDictionary<string, string>? matches, string? username)
    {
        if (_parts.Length == 1) return Value(_parts[0], process, matches, username);
        var text = new StringBuilder();
        foreach (var part in _parts) text.Append(Value(part, process, matches, username));
        return text.ToString();
    }

    private static string Value((Field Field, string Text) part, ProcessIdentity process, IReadOnlyDictionary<string, string>? matches, string? username) => part.Field switch
    {
        Field.Literal => part.Text,
        Field.Comm => process.Comm,
        Field.ExeBase => process.ExeBase,
        Field.ExeFull => process.ExeFull,
        Field.Username => username ?? "",
        Field.Pid => process.Pid.ToString(CultureInfo.InvariantCulture),
        // Go's template prints a missing map key as "<no value>"; kept for drop-in names.
        _ => matches is not null && matches.TryGetValue(part.Text, out var value) ? value : "<no value>",
    };

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
