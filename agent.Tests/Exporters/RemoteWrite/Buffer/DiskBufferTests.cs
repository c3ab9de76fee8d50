using System.Diagnostics;
using Agent.Exporters.RemoteWrite.Buffer;
using Agent.Telemetry;
using Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Agent.Tests.Exporters.RemoteWrite.Buffer;

public sealed class DiskBufferTests : IDisposable
{
    private const long OneMiB = 1024 * 1024;
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-buf-").FullName;
    private readonly SelfMetrics _metrics = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private DiskBuffer Open(long maxBytes = 256 * OneMiB, string? dir = null) =>
        new(dir ?? Path.Combine(_dir, "rw"), maxBytes, new BufferMetrics(_metrics, "t"), NullLogger.Instance, "t");

    /// <summary>A body that says which record it is, padded to <paramref name="size"/> bytes.</summary>
    private static byte[] Body(long n, int size = 16)
    {
        var body = new byte[size];
        BitConverter.TryWriteBytes(body, n);
        return body;
    }

    private static long Id(BufferedRecord record) => BitConverter.ToInt64(record.Body, 0);

    private static List<BufferedRecord> ReadAll(DiskBuffer buffer)
    {
        var records = new List<BufferedRecord>();
        while (buffer.TryRead(out var record)) records.Add(record);
        return records;
    }

    private double Metric(string name, string? label = null) =>
        _metrics.Snapshot().Where(f => f.Name == name).SelectMany(f => f.Samples)
            .Where(s => label is null || s.Labels.Any(l => l.Value == label)).Sum(s => s.Value);

    private string[] Segments(string? dir = null) =>
        Directory.GetFiles(dir ?? Path.Combine(_dir, "rw"), "*.seg").Select(Path.GetFileName).Order().ToArray()!;

    [Fact]
    public void Restart_replays_exactly_the_unsettled_records_in_order()
    {
        using (var buffer = Open())
        {
            for (var i = 0; i < 10; i++) buffer.Append(1000 + i, 3, Body(i));
            var read = ReadAll(buffer);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), read.Select(Id));
            Assert.Equal(1000L, read[0].TimestampMs);
            Assert.Equal(3, read[0].Samples);
            // Shards acknowledge out of order: 6 before 5.
            foreach (var i in new[] { 0, 1, 2, 3, 4, 6, 8 }) buffer.Settle(read[i]);
            Assert.Equal(0, buffer.Unread);
        }
        using (var again = Open())
        {
            Assert.Equal(3, again.Unread);
            var replayed = ReadAll(again);
            Assert.Equal([5L, 7, 9], replayed.Select(Id));
            foreach (var r in replayed) again.Settle(r);
            again.Append(2000, 1, Body(10));
            Assert.Equal([10L], ReadAll(again).Select(Id));
        }
    }

    [Fact]
    public void A_crash_before_the_ledger_sync_resends_rather_than_loses()
    {
        var dir = Path.Combine(_dir, "rw");
        var crashed = Open();
        for (var i = 0; i < 4; i++) crashed.Append(1000 + i, 1, Body(i));
        var read = ReadAll(crashed);
        crashed.Settle(read[0]);
        crashed.Sync();
        crashed.Settle(read[1]);
        // No Sync and no Dispose: as after kill -9, only the synced ledger counts.
        using var again = Open(dir: dir);
        Assert.Equal([1L, 2, 3], ReadAll(again).Select(Id));
    }

    [Fact]
    public void A_segment_file_goes_only_when_every_record_in_it_is_settled()
    {
        using var buffer = Open(maxBytes: 4 * OneMiB);
        // 4 MiB cap: 256 KiB segments, so 40 records of 20 KiB fill about three.
        for (var i = 0; i < 40; i++) buffer.Append(1000 + i, 1, Body(i, 20 * 1024));
        var segments = Segments();
        Assert.True(segments.Length >= 3, string.Join(",", segments));
        var read = ReadAll(buffer);
        for (var i = 1; i < read.Count; i++) buffer.Settle(read[i]);
        // Record 0 is unsettled: its segment and every later one stay (the mark cannot pass it).
        Assert.Equal(segments.Length, Segments().Length);
        buffer.Settle(read[0]);
        Assert.Equal([segments[^1]], Segments());
    }

    [Fact]
    public void Over_max_buffer_bytes_the_oldest_segments_go_and_their_samples_are_counted()
    {
        const int records = 200, samplesEach = 10;
        using (var buffer = Open(maxBytes: OneMiB))
        {
            for (var i = 0; i < records; i++) buffer.Append(1000 + i, samplesEach, Body(i, 16 * 1024));
            Assert.InRange(buffer.Bytes, 1, OneMiB);
            var kept = ReadAll(buffer);
            var dropped = Metric("agent_remote_write_samples_dropped_total", "buffer_full");
            Assert.Equal(records * samplesEach, dropped + kept.Sum(r => r.Samples));
            Assert.True(dropped > 0);
            // What is kept is the newest, contiguous and in order.
            Assert.Equal(Enumerable.Range(records - kept.Count, kept.Count).Select(i => (long)i), kept.Select(Id));
        }
    }

    [Fact]
    public void Records_in_flight_when_their_segment_is_dropped_are_not_counted_twice()
    {
        using var buffer = Open(maxBytes: OneMiB);
        for (var i = 0; i < 10; i++) buffer.Append(1000 + i, 10, Body(i, 16 * 1024));
        Assert.True(buffer.TryRead(out var inFlight));
        for (var i = 10; i < 200; i++) buffer.Append(1000 + i, 10, Body(i, 16 * 1024));
        buffer.Settle(inFlight);
        var rest = ReadAll(buffer);
        var dropped = Metric("agent_remote_write_samples_dropped_total", "buffer_full");
        Assert.Equal(200 * 10, dropped + inFlight.Samples + rest.Sum(r => r.Samples));
    }

    [Fact]
    public void A_torn_tail_left_by_kill_9_is_counted_and_skipped_and_writing_goes_on()
    {
        using (var buffer = Open())
        {
            for (var i = 0; i < 3; i++) buffer.Append(1000 + i, 1, Body(i));
        }
        var segment = Directory.GetFiles(Path.Combine(_dir, "rw"), "*.seg").Single();
        using (var file = new FileStream(segment, FileMode.Open)) file.SetLength(file.Length - 5);
        using var again = Open();
        Assert.Equal(1, Metric("agent_remote_write_buffer_corrupt_records_total", "torn"));
        again.Append(2000, 1, Body(3));
        Assert.Equal([0L, 1, 3], ReadAll(again).Select(Id));
    }

    [Fact]
    public void A_flipped_byte_costs_one_record()
    {
        using (var buffer = Open())
        {
            for (var i = 0; i < 5; i++) buffer.Append(1000 + i, 1, Body(i));
        }
        var segment = Directory.GetFiles(Path.Combine(_dir, "rw"), "*.seg").Single();
        var bytes = File.ReadAllBytes(segment);
        bytes[RecordFrame.Size(16) * 2 + 20] ^= 1;
        File.WriteAllBytes(segment, bytes);
        using var again = Open();
        Assert.Equal([0L, 1, 3, 4], ReadAll(again).Select(Id));
        Assert.Equal(1, Metric("agent_remote_write_buffer_corrupt_records_total", "corrupt"));
    }

    [Fact]
    public void An_unreadable_ledger_replays_everything()
    {
        using (var buffer = Open())
        {
            for (var i = 0; i < 3; i++) buffer.Append(1000 + i, 1, Body(i));
            foreach (var r in ReadAll(buffer).Take(2)) buffer.Settle(r);
        }
        File.WriteAllText(Path.Combine(_dir, "rw", Ledger.FileName), "garbage");
        using var again = Open();
        Assert.Equal([0L, 1, 2], ReadAll(again).Select(Id));
    }

    [Fact]
    public void A_directory_that_cannot_be_created_falls_back_to_memory_and_keeps_going()
    {
        var blocked = Path.Combine(_dir, "file");
        File.WriteAllText(blocked, "");
        using var buffer = Open(dir: Path.Combine(blocked, "rw"));
        Assert.True(buffer.InMemory);
        Assert.Equal(1, Metric("agent_remote_write_buffer_memory_fallback"));
        for (var i = 0; i < 3; i++) buffer.Append(1000 + i, 1, Body(i));
        Assert.Equal([0L, 1, 2], ReadAll(buffer).Select(Id));
    }

    [Fact]
    public void The_memory_fallback_is_capped_too()
    {
        var blocked = Path.Combine(_dir, "file");
        File.WriteAllText(blocked, "");
        using var buffer = Open(maxBytes: OneMiB, dir: Path.Combine(blocked, "rw"));
        for (var i = 0; i < 100; i++) buffer.Append(1000 + i, 2, Body(i, 64 * 1024));
        var kept = ReadAll(buffer);
        Assert.Equal(16, kept.Count);
        Assert.Equal(84 * 2, Metric("agent_remote_write_samples_dropped_total", "buffer_full"));
        Assert.Equal(99L, Id(kept[^1]));
    }

    [Fact]
    public void A_full_disk_falls_back_to_memory_once_and_loses_nothing()
    {
        var mount = Path.Combine(_dir, "tmpfs");
        Directory.CreateDirectory(mount);
        if (!Mount(mount)) return;
        try
        {
            var dir = Path.Combine(mount, "rw");
            using var buffer = Open(maxBytes: 64 * OneMiB, dir: dir);
            // 512 KiB of tmpfs: the disk fills somewhere in the first 40 records of 16 KiB.
            for (var i = 0; i < 100; i++) buffer.Append(1000 + i, 1, Body(i, 16 * 1024));
            Assert.True(buffer.InMemory);
            Assert.Equal(1, Metric("agent_remote_write_buffer_memory_fallback"));
            Assert.NotEmpty(Segments(dir));
            var read = ReadAll(buffer);
            Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), read.Select(Id));
            foreach (var r in read) buffer.Settle(r);
            buffer.Sync();
            Assert.Equal(0, buffer.Unread);
        }
        finally
        {
            Run("umount", mount);
        }
    }

    /// <summary>A 512 KiB tmpfs; needs root (CI has it). Elsewhere the test is skipped.</summary>
    private static bool Mount(string path)
    {
        if (!OperatingSystem.IsLinux() || Run("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", path) != 0)
        {
            if (ServerBinary.InCi) Assert.Fail("cannot mount a tmpfs (CI runs as root and must be able to)");
            Assert.Skip("mounting a tmpfs needs root");
        }
        return true;
    }

    private static int Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
