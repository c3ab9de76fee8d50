using Agent.Exporters.RemoteWrite.Buffer;
using Xunit;

namespace Agent.Tests.Exporters.RemoteWrite.Buffer;

/// <summary>The segment format against torn tails and flipped bytes at every offset.</summary>
public sealed class SegmentScannerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-seg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Three records of different sizes, as the disk buffer writes them; returns the file bytes and record ends.</summary>
    private static (byte[] File, int[] Ends) ThreeRecords()
    {
        var bodies = new[] { new byte[] { 1, 2, 3 }, Enumerable.Range(0, 40).Select(i => (byte)i).ToArray(), new byte[] { 9 } };
        var file = new List<byte>();
        var ends = new int[bodies.Length];
        for (var i = 0; i < bodies.Length; i++)
        {
            var frame = new byte[RecordFrame.Size(bodies[i].Length)];
            RecordFrame.Write(frame, 100 + i, 1_700_000_000_000 + i, i + 1, bodies[i]);
            file.AddRange(frame);
            ends[i] = file.Count;
        }
        return (file.ToArray(), ends);
    }

    private (List<long> Seqs, List<ScanResult> Problems) Scan(byte[] bytes)
    {
        var path = Path.Combine(_dir, "s.seg");
        File.WriteAllBytes(path, bytes);
        using var scanner = new SegmentScanner(path);
        var seqs = new List<long>();
        var problems = new List<ScanResult>();
        while (true)
        {
            var result = scanner.Next(bytes.Length, out var seq, out var ts, out var samples, out var body);
            if (result == ScanResult.End) break;
            if (result == ScanResult.Record)
            {
                var i = (int)(seq - 100);
                Assert.Equal(1_700_000_000_000 + i, ts);
                Assert.Equal(i + 1, samples);
                seqs.Add(seq);
            }
            else
            {
                problems.Add(result);
            }
        }
        return (seqs, problems);
    }

    [Fact]
    public void Reads_records_back_in_order_with_their_fields()
    {
        var (file, _) = ThreeRecords();
        var (seqs, problems) = Scan(file);
        Assert.Equal([100L, 101, 102], seqs);
        Assert.Empty(problems);
    }

    [Fact]
    public void Frame_layout_is_magic_length_crc_payload()
    {
        var frame = new byte[RecordFrame.Size(2)];
        RecordFrame.Write(frame, 7, 8, 9, [0xAA, 0xBB]);
        Assert.Equal("AGB1"u8.ToArray(), frame[..4]);
        Assert.Equal(RecordFrame.PayloadHeaderSize + 2, BitConverter.ToInt32(frame, 4));
        Assert.Equal(7L, BitConverter.ToInt64(frame, 12));
        Assert.Equal(8L, BitConverter.ToInt64(frame, 20));
        Assert.Equal(9, BitConverter.ToInt32(frame, 28));
        Assert.Equal([0xAA, 0xBB], frame[32..]);
    }

    [Fact]
    public void A_tail_torn_at_every_offset_keeps_every_whole_record_and_reports_the_rest_once()
    {
        var (file, ends) = ThreeRecords();
        for (var cut = 0; cut <= file.Length; cut++)
        {
            var (seqs, problems) = Scan(file[..cut]);
            var whole = ends.Count(end => end <= cut);
            Assert.Equal(Enumerable.Range(100, whole).Select(i => (long)i), seqs);
            var atBoundary = cut == 0 || ends.Contains(cut);
            Assert.Equal(atBoundary ? [] : [ScanResult.Torn], problems);
        }
    }

    [Fact]
    public void A_flipped_byte_anywhere_costs_exactly_the_record_holding_it()
    {
        var (file, ends) = ThreeRecords();
        for (var at = 0; at < file.Length; at++)
        {
            var copy = (byte[])file.Clone();
            copy[at] ^= 0x40;
            var (seqs, problems) = Scan(copy);
            var hit = Array.FindIndex(ends, end => at < end);
            var expected = Enumerable.Range(100, 3).Where(s => s != 100 + hit).Select(s => (long)s);
            Assert.True(expected.SequenceEqual(seqs), $"byte {at}: read {string.Join(",", seqs)}");
            // The last record's damage has no good record after it: it reads as a torn tail.
            Assert.Equal(hit == 2 ? [ScanResult.Torn] : [ScanResult.Corrupt], problems);
        }
    }

    [Fact]
    public void Garbage_between_records_is_skipped_once()
    {
        var (file, ends) = ThreeRecords();
        var garbage = "AGB1 not a record"u8.ToArray();
        var spliced = file[..ends[0]].Concat(garbage).Concat(file[ends[0]..]).ToArray();
        var (seqs, problems) = Scan(spliced);
        Assert.Equal([100L, 101, 102], seqs);
        Assert.Equal([ScanResult.Corrupt], problems);
    }
}
