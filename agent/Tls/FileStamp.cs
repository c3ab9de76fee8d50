namespace Agent.Tls;

/// <summary>
/// When a file was last written and how long it is: two stats tell whether a certificate, key or
/// web config changed since it was read, without reading it on every connection.
/// </summary>
public readonly record struct FileStamp(DateTime WrittenUtc, long Length)
{
    /// <summary>The stamp now; a missing or unreadable file gets a stamp of its own (default) so its return counts as a change.</summary>
    public static FileStamp Of(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists ? new FileStamp(info.LastWriteTimeUtc, info.Length) : default;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return default;
        }
    }

    /// <summary>The stamps of several files, in order (empty paths are skipped).</summary>
    public static FileStamp[] Of(IReadOnlyList<string> paths)
    {
        var stamps = new FileStamp[paths.Count];
        for (var i = 0; i < paths.Count; i++) stamps[i] = paths[i].Length == 0 ? default : Of(paths[i]);
        return stamps;
    }

    public static bool Same(FileStamp[] a, FileStamp[] b) => a.AsSpan().SequenceEqual(b);
}
