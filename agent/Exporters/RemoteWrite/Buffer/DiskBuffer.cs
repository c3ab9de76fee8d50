using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Agent.Telemetry;

namespace Agent.Exporters.RemoteWrite.Buffer;

/// <summary>
/// A remote-write endpoint's durable queue: requests appended as CRC-checked records to
/// segment files under data_dir, read back oldest first (after a restart too), and released
/// through a ledger of what the endpoint acknowledged. A segment file goes only when every
/// record in it is settled, or when max_buffer_bytes forces the oldest out (counted as
/// buffer_full). Data reaches the disk on every <see cref="Sync"/> (the exporter calls it about
/// once a second and at shutdown). An I/O error on the write path (a full disk) switches to
/// memory for the rest of the run: one loud log line and a gauge, and collection goes on.
/// </summary>
public sealed class DiskBuffer : IRecordBuffer, IDisposable
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly string _dir;
    private readonly long _maxBytes;
    private readonly long _segmentSize;
    private readonly BufferMetrics _metrics;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly List<Segment> _segments = [];
    /// <summary>Records handed out, in order, until settled; the ledger's mark is the first unsettled one.</summary>
    private readonly Queue<BufferedRecord> _outstanding = new();
    /// <summary>Settled above the mark according to the loaded ledger, not reached by the reader yet.</summary>
    private readonly HashSet<long> _settledAhead = [];
    private readonly LinkedList<BufferedRecord> _memory = new();
    private byte[] _frame = new byte[64 * 1024];
    private Segment? _writing;
    private SafeFileHandle? _writeHandle;
    private SegmentScanner? _reader;
    private int _readIndex;
    private long _mark;
    private long _nextSeq;
    /// <summary>The first sequence number this run wrote: anything below came from an earlier run.</summary>
    private long _firstSeqOfRun;
    private long _unread;
    private long _diskBytes;
    private long _memoryBytes;
    private bool _unsynced;
    private bool _ledgerChanged;
    private LedgerFile? _ledger;
    private bool _fallback;

    /// <param name="dir">This endpoint's own directory under data_dir.</param>
    public DiskBuffer(string dir, long maxBytes, BufferMetrics metrics, ILogger logger, string name)
    {
        _dir = dir;
        _maxBytes = maxBytes;
        // Sixteen segments per cap: dropping the oldest for room frees a sixteenth, not half.
        _segmentSize = Math.Clamp(maxBytes / 16, 64 * 1024, 16 * 1024 * 1024);
        _metrics = metrics;
        _logger = logger;
        _name = name;
        try
        {
            Directory.CreateDirectory(dir);
            Load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            EnterFallback(e);
        }
        UpdateGauges();
    }

    /// <summary>True once an I/O error moved buffering to memory.</summary>
    public bool InMemory { get { lock (_gate) return _fallback; } }

    public long Unread { get { lock (_gate) return _unread; } }

    /// <summary>Bytes in segment files and in the memory fallback.</summary>
    public long Bytes { get { lock (_gate) return _diskBytes + _memoryBytes; } }

    public Task WaitAsync(CancellationToken ct) => _signal.WaitAsync(ct);

    private void Load()
    {
        var ledger = Ledger.Load(_dir, out var problem);
        if (problem is not null) _logger.LogWarning("{Endpoint}: {Problem}; replaying the whole buffer (duplicates possible)", _name, problem);
        _mark = ledger.Mark;
        _ledger = new LedgerFile(_dir, ledger.Generation);
        var maxSeq = _mark - 1;
        foreach (var seq in ledger.Settled)
        {
            if (seq >= _mark) _settledAhead.Add(seq);
            maxSeq = Math.Max(maxSeq, seq);
        }
        var files = new List<(long First, string Path)>();
        foreach (var path in Directory.EnumerateFiles(_dir, "*" + Segment.Extension))
        {
            if (Segment.TryParseName(Path.GetFileName(path), out var first)) files.Add((first, path));
        }
        files.Sort((a, b) => a.First.CompareTo(b.First));
        long replayRecords = 0, replaySamples = 0;
        foreach (var (first, path) in files)
        {
            var segment = new Segment(first, path) { Length = new FileInfo(path).Length };
            var settledRecords = ScanExisting(segment);
            maxSeq = Math.Max(maxSeq, segment.LastSeq);
            if (settledRecords == segment.Records)
            {
                File.Delete(path);
                continue;
            }
            segment.SettledAhead = settledRecords;
            _segments.Add(segment);
            _diskBytes += segment.Length;
            _unread += segment.Records - settledRecords;
            replayRecords += segment.Records - settledRecords;
            replaySamples += segment.Samples - segment.SettledSamples;
        }
        _nextSeq = _firstSeqOfRun = maxSeq + 1;
        if (replayRecords > 0)
        {
            _logger.LogInformation("{Endpoint}: {Records} buffered requests ({Samples} samples) from {Dir} are sent first",
                _name, replayRecords, replaySamples, _dir);
        }
    }

    /// <summary>Counts a segment left by an earlier run; returns how many of its records the ledger settled.</summary>
    private int ScanExisting(Segment segment)
    {
        var settled = 0;
        using var scanner = new SegmentScanner(segment.Path);
        while (true)
        {
            switch (scanner.Next(segment.Length, out var seq, out _, out var samples, out _))
            {
                case ScanResult.Record:
                    segment.Records++;
                    segment.Samples += samples;
                    segment.LastSeq = seq;
                    if (seq < _mark || _settledAhead.Contains(seq))
                    {
                        settled++;
                        segment.SettledSamples += samples;
                    }
                    continue;
                case ScanResult.Corrupt:
                    _metrics.Corrupt.Add();
                    _logger.LogWarning("{Endpoint}: corrupt record skipped in {Segment}", _name, segment.Path);
                    continue;
                case ScanResult.Torn:
                    _metrics.Torn.Add();
                    _logger.LogWarning("{Endpoint}: incomplete record at the end of {Segment} skipped (the agent stopped mid-write)", _name, segment.Path);
                    return settled;
                default:
                    return settled;
            }
        }
    }

    /// <summary>Appends one request. Never throws: a failing disk moves buffering to memory.</summary>
    public void Append(long timestampMs, int samples, ReadOnlySpan<byte> body)
    {
        lock (_gate)
        {
            var seq = _nextSeq++;
            if (!_fallback)
            {
                try
                {
                    WriteRecord(seq, timestampMs, samples, body);
                    _unread++;
                    EnforceCap();
                    _signal.Release();
                    return;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    EnterFallback(e);
                }
            }
            _memory.AddLast(new BufferedRecord(seq, timestampMs, samples, body.ToArray()));
            _memoryBytes += body.Length;
            _unread++;
            while (_memoryBytes > _maxBytes && _memory.First is { } oldest && _memory.Count > 1)
            {
                _memory.RemoveFirst();
                _memoryBytes -= oldest.Value.Body.Length;
                _unread--;
                _metrics.BufferFull.Add(oldest.Value.Samples);
            }
        }
        _signal.Release();
    }

    private void WriteRecord(long seq, long timestampMs, int samples, ReadOnlySpan<byte> body)
    {
        var size = RecordFrame.Size(body.Length);
        if (_writing is null || (_writing.Length > 0 && _writing.Length + size > _segmentSize)) StartSegment(seq);
        if (_frame.Length < size) _frame = new byte[Math.Max(size, _frame.Length * 2)];
        var frame = _frame.AsSpan(0, size);
        RecordFrame.Write(frame, seq, timestampMs, samples, body);
        RandomAccess.Write(_writeHandle!, frame, _writing!.Length);
        _writing.Length += size;
        _writing.Records++;
        _writing.Samples += samples;
        _writing.LastSeq = seq;
        _diskBytes += size;
        _unsynced = true;
    }

    private void StartSegment(long firstSeq)
    {
        SealWriting();
        var segment = new Segment(firstSeq, Path.Combine(_dir, Segment.FileName(firstSeq)));
        _writeHandle = File.OpenHandle(segment.Path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        _writing = segment;
        _segments.Add(segment);
    }

    /// <summary>A full segment reaches the disk before its successor takes writes.</summary>
    private void SealWriting()
    {
        if (_writeHandle is null) return;
        try
        {
            if (_unsynced) RandomAccess.FlushToDisk(_writeHandle);
        }
        finally
        {
            _writeHandle.Dispose();
            _writeHandle = null;
            _writing = null;
            _unsynced = false;
        }
    }

    /// <summary>Over max_buffer_bytes the oldest segment goes, and what in it was never sent is counted.</summary>
    private void EnforceCap()
    {
        while (_diskBytes + _memoryBytes > _maxBytes && _segments.Count > 1 && _segments[0] != _writing)
        {
            var oldest = _segments[0];
            var lost = oldest.Samples - oldest.SettledSamples - oldest.InFlightSamples;
            if (lost > 0)
            {
                _metrics.BufferFull.Add(lost);
                _logger.LogWarning("{Endpoint}: buffer over max_buffer_bytes ({Max} bytes): {Samples} oldest samples dropped", _name, _maxBytes, lost);
            }
            _unread -= oldest.Records - oldest.RecordsRead - oldest.SettledAhead;
            if (_readIndex == 0)
            {
                _reader?.Dispose();
                _reader = null;
            }
            else
            {
                _readIndex--;
            }
            RemoveFirstSegment();
        }
    }

    private void RemoveFirstSegment()
    {
        var segment = _segments[0];
        _segments.RemoveAt(0);
        _diskBytes -= segment.Length;
        _ledgerChanged = true;
        try
        {
            File.Delete(segment.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("{Endpoint}: cannot delete {Segment}: {Message}", _name, segment.Path, ErrorText.Of(e));
        }
    }

    public bool TryRead([NotNullWhen(true)] out BufferedRecord? record)
    {
        lock (_gate)
        {
            while (_readIndex < _segments.Count)
            {
                var segment = _segments[_readIndex];
                try
                {
                    _reader ??= new SegmentScanner(segment.Path);
                    var result = _reader.Next(segment.Length, out var seq, out var timestampMs, out var samples, out var body);
                    if (result == ScanResult.Record)
                    {
                        segment.RecordsRead++;
                        if (seq < _mark || _settledAhead.Remove(seq))
                        {
                            segment.SettledAhead--;
                            Skip(seq);
                            continue;
                        }
                        _unread--;
                        record = new BufferedRecord(seq, timestampMs, samples, body.ToArray()) { Segment = segment, Replayed = seq < _firstSeqOfRun };
                        segment.InFlightSamples += samples;
                        _outstanding.Enqueue(record);
                        return true;
                    }
                    if (result != ScanResult.End) continue;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _logger.LogError("{Endpoint}: cannot read {Segment}: {Message}; its unread records are lost", _name, segment.Path, ErrorText.Of(e));
                    _unread -= segment.Records - segment.RecordsRead - segment.SettledAhead;
                    segment.RecordsRead = segment.Records;
                    segment.SettledAhead = 0;
                }
                if (segment == _writing) break;
                _reader?.Dispose();
                _reader = null;
                _readIndex++;
                DeleteSettledSegments();
            }
            if (_readIndex >= _segments.Count && _memory.First is { } first)
            {
                _memory.RemoveFirst();
                _unread--;
                _outstanding.Enqueue(first.Value);
                record = first.Value;
                return true;
            }
            record = null;
            return false;
        }
    }

    /// <summary>A record the loaded ledger already settled: the mark passes it like any other.</summary>
    private void Skip(long seq)
    {
        if (_outstanding.Count == 0) _mark = Math.Max(_mark, seq + 1);
        else _outstanding.Enqueue(new BufferedRecord(seq, 0, 0, []) { Settled = true });
    }

    public void Settle(BufferedRecord record)
    {
        lock (_gate)
        {
            if (record.Settled) return;
            record.Settled = true;
            if (record.Segment is { } segment)
            {
                segment.InFlightSamples -= record.Samples;
                segment.SettledSamples += record.Samples;
            }
            else
            {
                _memoryBytes -= record.Body.Length;
            }
            while (_outstanding.TryPeek(out var head) && head.Settled)
            {
                _outstanding.Dequeue();
                _mark = Math.Max(_mark, head.Seq + 1);
            }
            _ledgerChanged = true;
            DeleteSettledSegments();
        }
    }

    /// <summary>Segments the reader has left whose records are all below the mark.</summary>
    private void DeleteSettledSegments()
    {
        while (_segments.Count > 0 && _readIndex > 0 && _segments[0] != _writing && _segments[0].LastSeq < _mark)
        {
            RemoveFirstSegment();
            _readIndex--;
        }
    }

    /// <summary>Written records and the ledger to the disk (fsync); called on an interval and at shutdown.</summary>
    public void Sync()
    {
        lock (_gate)
        {
            if (!_fallback)
            {
                try
                {
                    if (_unsynced && _writeHandle is not null)
                    {
                        RandomAccess.FlushToDisk(_writeHandle);
                        _unsynced = false;
                    }
                    if (_ledgerChanged)
                    {
                        SaveLedger();
                        _ledgerChanged = false;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    EnterFallback(e);
                }
            }
            UpdateGauges();
        }
    }

    private void SaveLedger()
    {
        var settled = new List<long>();
        foreach (var record in _outstanding)
        {
            if (record.Settled && record.Seq >= _mark) settled.Add(record.Seq);
        }
        foreach (var seq in _settledAhead)
        {
            if (seq >= _mark) settled.Add(seq);
        }
        _ledger?.Save(_mark, settled);
    }

    private void UpdateGauges()
    {
        _metrics.Bytes.Set(_diskBytes + _memoryBytes);
        long pending = _unread, oldest = 0;
        foreach (var record in _outstanding)
        {
            if (record.Settled) continue;
            pending++;
            if (oldest == 0) oldest = record.TimestampMs;
        }
        _metrics.Records.Set(pending);
        _metrics.Oldest.Set(oldest / 1000.0);
    }

    private void EnterFallback(Exception e)
    {
        if (_fallback) return;
        _fallback = true;
        _metrics.Fallback.Set(1);
        _logger.LogCritical("{Endpoint}: DISK BUFFER FAILED at {Dir}: {Message}. Buffering in memory (up to max_buffer_bytes) until the agent restarts: "
            + "what is buffered from now on does not survive a restart. Free space or fix permissions, then restart the agent.", _name, _dir, ErrorText.Of(e));
        try
        {
            SealWriting();
        }
        catch (Exception sealError) when (sealError is IOException or UnauthorizedAccessException)
        {
            _logger.LogDebug("{Endpoint}: closing the segment after the failure: {Message}", _name, ErrorText.Of(sealError));
        }
    }

    public void Dispose()
    {
        Sync();
        lock (_gate)
        {
            try
            {
                SealWriting();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning("{Endpoint}: closing {Dir}: {Message}", _name, _dir, ErrorText.Of(e));
            }
            _reader?.Dispose();
            _reader = null;
            _ledger?.Dispose();
            // Once sealed, the last segment may go too: an emptied buffer leaves no files behind.
            while (_segments.Count > 0 && _segments[0].LastSeq < _mark && _segments[0].RecordsRead == _segments[0].Records) RemoveFirstSegment();
        }
    }
}
