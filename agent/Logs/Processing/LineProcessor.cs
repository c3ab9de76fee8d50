using System.Text.RegularExpressions;

namespace Agent.Logs.Processing;

/// <summary>
/// What a source does to each line before it is sent: drop it when a drop regex matches, and
/// find its level when the source asks for a `level` label. Per-line data never becomes a
/// label beyond that one, so streams stay few.
/// </summary>
public sealed class LineProcessor(IReadOnlyList<Regex> drop, bool extractLevel)
{
    public static readonly LineProcessor None = new([], false);

    public bool ExtractLevel { get; } = extractLevel;

    public bool Drops(string line)
    {
        foreach (var regex in drop)
        {
            if (regex.IsMatch(line)) return true;
        }
        return false;
    }
}
