namespace Agent.Exporters.RemoteWrite.Buffer;

/// <summary>
/// One segment file of a disk buffer (named for its first sequence number) and what is known
/// of its records: how many, how many samples, and how many of those are settled or in flight.
/// Guarded by the owning <see cref="DiskBuffer"/>'s lock.
/// </summary>
internal sealed class Segment(long firstSeq, string path)
{
    public const string Extension = ".seg";

    public long FirstSeq { get; } = firstSeq;
    public string Path { get; } = path;
    /// <summary>Bytes of whole records; readers never look past it.</summary>
    public long Length { get; set; }
    public long LastSeq { get; set; } = -1;
    public int Records { get; set; }
    public int RecordsRead { get; set; }
    /// <summary>Records ahead of the reader that an earlier run already settled: read past, never handed out.</summary>
    public int SettledAhead { get; set; }
    public long Samples { get; set; }
    public long SettledSamples { get; set; }
    public long InFlightSamples { get; set; }

    public static string FileName(long firstSeq) => firstSeq.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + Extension;

    public static bool TryParseName(string fileName, out long firstSeq)
    {
        firstSeq = 0;
        return fileName.EndsWith(Extension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, fileName.Length - Extension.Length), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out firstSeq);
    }
}
