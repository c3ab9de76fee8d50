using Microsoft.Extensions.FileSystemGlobbing;

namespace Agent.Logs;

/// <summary>
/// An absolute glob ("/var/log/**/*.log") split into the directory it is rooted at and the
/// pattern below it, as FileSystemGlobbing wants. Excludes are matched against the same root.
/// The tree is walked by <see cref="GlobWalk"/> (no symlink loops, no /proc); only regular
/// files are offered for tailing, anything else that matches is reported as skipped.
/// </summary>
public sealed class FileGlob
{
    private static readonly char[] Wildcards = ['*', '?', '[', '{'];

    private readonly Matcher _matcher = new(StringComparison.Ordinal);
    private readonly bool _literal;

    public FileGlob(string pattern, IReadOnlyList<string> excludes)
    {
        Pattern = pattern;
        var normalized = pattern.Replace('\\', '/');
        var wildcard = normalized.IndexOfAny(Wildcards);
        _literal = wildcard < 0;
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

    /// <summary>Whether <paramref name="path"/> is one this glob selects (by name; the file need not exist).</summary>
    public bool Matches(string path)
    {
        var normalized = path.Replace('\\', '/');
        if (_literal) return normalized == Pattern.Replace('\\', '/');
        var prefix = Root == "/" ? "/" : Root + "/";
        return normalized.StartsWith(prefix, StringComparison.Ordinal) && _matcher.Match(normalized[prefix.Length..]).HasMatches;
    }

    /// <summary>
    /// The regular files matching now (a missing root is simply no match), and what matched or
    /// was met on the way but is not tailed: special files, unreadable directories.
    /// </summary>
    public GlobScan Scan(CancellationToken ct = default)
    {
        var scan = new GlobScan();
        if (!Directory.Exists(Root)) return scan;
        if (_literal && FileStatus.Of(Pattern) is { Kind: FileKind.Directory })
        {
            scan.Skipped.Add(SkippedPath.ForKind(Pattern, FileKind.Directory)!);
            return scan;
        }
        var walk = new GlobWalk(Root, ct);
        var result = _matcher.Execute(walk.Root);
        scan.Skipped.AddRange(walk.Skipped);
        foreach (var match in result.Files)
        {
            var path = Root == "/" ? "/" + match.Path : Root + "/" + match.Path;
            var status = FileStatus.Of(path);
            if (status.Kind == FileKind.Regular) scan.Files.Add((path, status.Identity));
            else if (SkippedPath.ForKind(path, status.Kind) is { } special) scan.Skipped.Add(special);
            // Gone since the listing, or a dangling symlink: nothing to tail, nothing to say.
            else if (status.Errno is not (0 or Enoent or Enotdir)) scan.Skipped.Add(SkippedPath.UnreadableFile(path, IoErrorText.Of(status.Errno)));
        }
        return scan;
    }

    private const int Enoent = 2, Enotdir = 20;
}

/// <summary>What one scan of a glob found.</summary>
public sealed class GlobScan
{
    /// <summary>Regular files, with the identity seen by the scan (empty off Linux).</summary>
    public List<(string Path, FileIdentity Identity)> Files { get; } = [];

    public List<SkippedPath> Skipped { get; } = [];
}
