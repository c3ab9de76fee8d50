namespace Agent.Config;

/// <summary>
/// One or more problems in a config file; each line names file, line, column and key.
/// A file of binary garbage yields thousands of syntax errors, so only the first screenful is
/// kept, followed by how many more there were: the first few are what a user fixes first anyway.
/// Control characters (a quoted key may hold an escape sequence) are shown escaped, never sent to a terminal.
/// </summary>
public sealed class ConfigException(IReadOnlyList<string> problems)
    : Exception(string.Join(Environment.NewLine, Shown(problems)))
{
    /// <summary>How many problems are listed before "and N more".</summary>
    public const int MaxShown = 20;

    public IReadOnlyList<string> Problems { get; } = Shown(problems);

    private static IReadOnlyList<string> Shown(IReadOnlyList<string> problems)
    {
        var count = Math.Min(problems.Count, MaxShown);
        var shown = new List<string>(count + 1);
        for (var i = 0; i < count; i++) shown.Add(Printable(problems[i]));
        if (problems.Count > MaxShown) shown.Add($"and {problems.Count - MaxShown} more problems");
        return shown;
    }

    private static string Printable(string line)
    {
        if (!line.AsSpan().ContainsAnyInRange('\0', '\u001f') && !line.AsSpan().ContainsAnyInRange('\u007f', '\u009f')) return line;
        var builder = new System.Text.StringBuilder(line.Length + 16);
        foreach (var c in line)
        {
            if (char.IsControl(c)) builder.Append($"\\u{(int)c:x4}");
            else builder.Append(c);
        }
        return builder.ToString();
    }
}
