using Microsoft.Extensions.FileSystemGlobbing;

namespace Agent.Logs;

/// <summary>
/// An absolute glob ("/var/log/**/*.log") split into the directory it is rooted at and the
/// pattern below it, as FileSystemGlobbing wants. Excludes are matched against the same root.
/// </summary>
public sealed class FileGlob
{
    private static readonly char[] Wildcards = ['*', '?', '[', '{'];

    private readonly Matcher _matcher = new(StringComparison.Ordinal);

    public FileGlob(string pattern, IReadOnlyList<string> excludes)
    {
        Pattern = pattern;
        var normalized = pattern.Replace('\\', '/');
        var wildcard = normalized.IndexOfAny(Wildcards);
        var cut = wildcard < 0 ? normalized.LastIndexOf('/') : normalized.LastIndexOf('/', wildcard);
        Root = cut <= 0 ? "/" : normalized[..cut];
        var relative = normalized[(cut + 1)..];
        Recursive = relative.Contains('/');
        _matcher.AddInclude(relative);
        foreach (var exclude in excludes)
        {
            var e = exclude.Replace('\\', '/');
            if (e.StartsWith(Root + "/", StringComparison.Ordinal)) _matcher.AddExclude(e[(Root.Length + 1)..]);
            else if (!e.StartsWith('/')) _matcher.AddExclude(e);
        }
    }

    public string Pattern { get; }

    /// <summary>The deepest directory without wildcards; the scan starts here.</summary>
    public string Root { get; }

    /// <summary>Whether matches can lie below the root's own entries (** or dir/*.log).</summary>
    public bool Recursive { get; }

    /// <summary>Full paths of the files matching now; a missing root is simply no match.</summary>
    public IEnumerable<string> Files()
    {
        if (!Directory.Exists(Root)) return [];
        return _matcher.GetResultsInFullPath(Root);
    }
}
