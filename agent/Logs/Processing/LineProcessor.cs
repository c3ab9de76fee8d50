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

    /// <summary>Whether a drop expression matches; the line is decoded only when there are expressions.</summary>
    public bool Drops(byte[] line)
    {
        if (drop.Count == 0) return false;
        var text = System.Text.Encoding.UTF8.GetString(line);
        foreach (var regex in drop)
        {
            if (regex.IsMatch(text)) return true;
        }
        return false;
    }
}
