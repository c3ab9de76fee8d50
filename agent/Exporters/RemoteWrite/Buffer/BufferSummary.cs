namespace Agent.Exporters.RemoteWrite.Buffer;

/// <summary>What a disk buffer holds that is not settled yet, read from its files without changing them (`agent check`).</summary>
public readonly record struct BufferSummary(long Records, long Samples, long Bytes, long OldestTimestampMs)
{
    public static BufferSummary Read(string dir)
    {
        if (!Directory.Exists(dir)) return default;
        var ledger = Ledger.Load(dir, out _);
        var settled = new HashSet<long>(ledger.Settled);
        long records = 0, samples = 0, bytes = 0, oldest = 0;
        foreach (var path in Directory.EnumerateFiles(dir, "*" + Segment.Extension))
        {
            if (!Segment.TryParseName(Path.GetFileName(path), out _)) continue;
            var length = new FileInfo(path).Length;
            bytes += length;
            using var scanner = new SegmentScanner(path);
            ScanResult result;
            while ((result = scanner.Next(length, out var seq, out var timestampMs, out var count, out _)) != ScanResult.End)
            {
                if (result != ScanResult.Record || seq < ledger.Mark || settled.Contains(seq)) continue;
                records++;
                samples += count;
                if (oldest == 0 || timestampMs < oldest) oldest = timestampMs;
            }
        }
        return new BufferSummary(records, samples, bytes, oldest);
    }
}
