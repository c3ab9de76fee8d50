using System.Buffers;
using System.Threading.Channels;
using Agent.Exporters.Http;
using Agent.Exporters.RemoteWrite.Buffer;
using Agent.Telemetry;
using Microsoft.Extensions.Logging;
using Snappier;

namespace Agent.Exporters.RemoteWrite;

/// <summary>Where a sender's outcomes are counted.</summary>
public sealed record SendCounters(Counter Sent, Counter Rejected, Counter TooOld, Gauge LastSuccess);

/// <summary>
/// Reads a buffer oldest first and sends it. In step with collection one request is in flight
/// and each buffered request goes out as it is. With a backlog (after an outage or a restart)
/// up to max_shards requests are in flight: every record is split by series hash and each shard
/// is sent in order, so a series' samples still arrive in time order, as receivers require.
/// Changing width waits until nothing is in flight, so order holds across the change too.
/// A shard combines consecutive parts into one request, except parts of records an earlier
/// run left (see <see cref="BufferedRecord.Replayed"/>). Records older than max_buffer_age are
/// dropped unsent: receivers refuse them.
/// </summary>
public sealed class ShardedSender
{
    /// <summary>Unread requests that make it catch-up (about 16 cycles of one job).</summary>
    internal const int CatchUpBacklog = 16;
    private const int QueuedPerShard = 4;

    private readonly IRecordBuffer _buffer;
    private readonly RetryingSender _sender;
    private readonly int _maxSamplesPerSend;
    private readonly TimeSpan _maxAge;
    private readonly SendCounters _counters;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly Func<DateTimeOffset> _now;
    private readonly Channel<Work>[] _shards;
    private readonly SeriesSharder _sharder = new();
    private readonly HashSet<int> _loggedStatuses = [];
    private int _width = 1;
    private int _inFlightParts;
    private long _inFlightSamples;
    private long _lastProgressTicks = DateTime.UtcNow.Ticks;
    private long _tooOldLogged;

    public ShardedSender(IRecordBuffer buffer, RetryingSender sender, int maxShards, int maxSamplesPerSend, TimeSpan maxAge,
        SendCounters counters, ILogger logger, string name, Func<DateTimeOffset>? now = null)
    {
        _buffer = buffer;
        _sender = sender;
        _maxSamplesPerSend = maxSamplesPerSend;
        _maxAge = maxAge;
        _counters = counters;
        _logger = logger;
        _name = name;
        _now = now ?? (() => DateTimeOffset.UtcNow);
        _shards = new Channel<Work>[maxShards];
        for (var i = 0; i < maxShards; i++)
        {
            _shards[i] = Channel.CreateBounded<Work>(new BoundedChannelOptions(QueuedPerShard) { SingleReader = true, SingleWriter = true });
        }
    }

    /// <summary>Samples handed to shards and not settled yet.</summary>
    public long InFlightSamples => Interlocked.Read(ref _inFlightSamples);

    /// <summary>Requests in flight now (1 in step, up to max_shards while catching up).</summary>
    public int Width => Volatile.Read(ref _width);

    /// <summary>False when data is pending and nothing was settled for <paramref name="stallTimeout"/>.</summary>
    public bool Healthy(TimeSpan stallTimeout)
    {
        if (Volatile.Read(ref _inFlightParts) == 0 && _buffer.Unread == 0) return true;
        return DateTime.UtcNow.Ticks - Interlocked.Read(ref _lastProgressTicks) < stallTimeout.Ticks;
    }

    /// <summary>
    /// Runs until <paramref name="stop"/> (then, with <paramref name="drain"/>, until the buffer is
    /// empty) and the shards have sent what they hold, or until <paramref name="hardStop"/>.
    /// Never throws: an unexpected error is logged with the endpoint and the loop goes on.
    /// </summary>
    public async Task RunAsync(CancellationToken stop, bool drain, CancellationToken hardStop)
    {
        // What an earlier run left is sent wide however little it is: a record it had split and
        // partly delivered is split the same way again, so the delivered shards are refused
        // alone (400, already stored) instead of dragging the undelivered ones down with them.
        if (_buffer.Unread > 0) _width = _shards.Length;
        var workers = new Task[_shards.Length];
        for (var i = 0; i < _shards.Length; i++)
        {
            var reader = _shards[i].Reader;
            workers[i] = Task.Run(() => ShardLoopAsync(reader, hardStop));
        }
        await Guarded.LoopAsync(() => DispatchAsync(stop, drain, hardStop), "dispatch", _name, _logger, hardStop);
        foreach (var shard in _shards) shard.Writer.TryComplete();
        await Task.WhenAll(workers);
    }

    /// <summary>True when the dispatcher is done (stopped, or drained); false to be run again after an error.</summary>
    private async Task<bool> DispatchAsync(CancellationToken stop, bool drain, CancellationToken hardStop)
    {
        while (!hardStop.IsCancellationRequested)
        {
            if (stop.IsCancellationRequested && !drain) return true;
            if (!_buffer.TryRead(out var record))
            {
                if (stop.IsCancellationRequested) return true;
                if (Volatile.Read(ref _inFlightParts) == 0) MarkProgress();
                try { await _buffer.WaitAsync(stop); } catch (OperationCanceledException) { }
                continue;
            }
            if (Volatile.Read(ref _inFlightParts) == 0) MarkProgress();
            var age = _now().ToUnixTimeMilliseconds() - record.TimestampMs;
            if (age > _maxAge.TotalMilliseconds)
            {
                DropTooOld(record, age);
                continue;
            }
            var unread = _buffer.Unread;
            var width = _width == 1 && unread >= CatchUpBacklog ? _shards.Length : _width > 1 && unread == 0 ? 1 : _width;
            if (width != _width)
            {
                // Everything sent at the old width must land before a series can move to another shard.
                while (Volatile.Read(ref _inFlightParts) > 0) await Task.Delay(5, hardStop);
                if (width > 1) _logger.LogInformation("{Endpoint}: catching up on {Backlog} buffered requests with {Shards} in flight", _name, unread, width);
                Volatile.Write(ref _width, width);
            }
            if (_width == 1)
            {
                record.PendingParts = 1;
                await HandOutAsync(0, new Work(record, null, record.Samples), hardStop);
                continue;
            }
            ShardPart?[] parts;
            try
            {
                parts = _sharder.Split(record, _width);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogError("{Endpoint}: buffered request {Seq} cannot be split ({Message}); {Samples} samples dropped", _name, record.Seq, e.Message, record.Samples);
                _counters.Rejected.Add(record.Samples);
                _buffer.Settle(record);
                continue;
            }
            var count = 0;
            foreach (var part in parts) if (part is not null) count++;
            record.PendingParts = count;
            if (count == 0) _buffer.Settle(record);
            for (var i = 0; i < parts.Length; i++)
            {
                if (parts[i] is { } part) await HandOutAsync(i, new Work(record, part.Series, part.Samples), hardStop);
            }
        }
        return true;
    }

    private ValueTask HandOutAsync(int shard, Work work, CancellationToken hardStop)
    {
        Interlocked.Increment(ref _inFlightParts);
        Interlocked.Add(ref _inFlightSamples, work.Samples);
        return _shards[shard].Writer.WriteAsync(work, hardStop);
    }

    private void DropTooOld(BufferedRecord record, long ageMs)
    {
        _counters.TooOld.Add(record.Samples);
        _buffer.Settle(record);
        MarkProgress();
        var now = DateTime.UtcNow.Ticks;
        if (now - Interlocked.Read(ref _tooOldLogged) > TimeSpan.TicksPerMinute)
        {
            Interlocked.Exchange(ref _tooOldLogged, now);
            _logger.LogWarning("{Endpoint}: buffered samples {Age:F0}s old are past max_buffer_age ({Max}) and dropped unsent (receivers refuse them); logged once a minute",
                _name, ageMs / 1000.0, _maxAge);
        }
    }

    private async Task ShardLoopAsync(ChannelReader<Work> reader, CancellationToken hardStop)
    {
        var batch = new List<Work>();
        var raw = new ArrayBufferWriter<byte>(64 * 1024);
        var compressed = new byte[64 * 1024];
        await Guarded.LoopAsync(async () =>
        {
            while (true)
            {
                try
                {
                    if (!await reader.WaitToReadAsync(hardStop)) return true;
                }
                catch (OperationCanceledException)
                {
                    return true;
                }
                batch.Clear();
                if (!reader.TryRead(out var first)) continue;
                batch.Add(first);
                ReadOnlyMemory<byte> body = first.Record.Body;
                if (first.Series is not null)
                {
                    var samples = first.Samples;
                    while (!first.Record.Replayed && reader.TryPeek(out var next) && next.Series is not null && !next.Record.Replayed
                        && samples + next.Samples <= _maxSamplesPerSend && reader.TryRead(out next))
                    {
                        batch.Add(next);
                        samples += next.Samples;
                    }
                    raw.ResetWrittenCount();
                    foreach (var work in batch) raw.Write(work.Series);
                    var needed = Snappy.GetMaxCompressedLength(raw.WrittenCount);
                    if (compressed.Length < needed) compressed = new byte[Math.Max(needed, compressed.Length * 2)];
                    body = compressed.AsMemory(0, Snappy.Compress(raw.WrittenSpan, compressed));
                }
                var result = await _sender.SendAsync(() => RemoteWriteExporter.Content(body), RemoteWriteExporter.RemoteWriteHeaders, hardStop);
                if (result is not { } settled) return true;
                Complete(batch, settled);
            }
        }, "send", _name, _logger, hardStop);
    }

    private void Complete(List<Work> batch, SettledSend settled)
    {
        var samples = 0;
        foreach (var work in batch) samples += work.Samples;
        if (settled.Outcome == SendOutcome.Delivered)
        {
            _counters.Sent.Add(samples);
            _counters.LastSuccess.Set(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
        }
        else
        {
            _counters.Rejected.Add(samples);
            bool first;
            lock (_loggedStatuses) first = _loggedStatuses.Add(settled.Code);
            if (first)
            {
                var text = settled.Body.Length > 512 ? settled.Body[..512] : settled.Body.Trim();
                _logger.LogError("{Endpoint}: HTTP {Code}, {Samples} samples dropped (not retried; logged once per status): {Body}",
                    _name, settled.Code, samples, text);
            }
        }
        foreach (var work in batch)
        {
            Interlocked.Add(ref _inFlightSamples, -work.Samples);
            if (Interlocked.Decrement(ref work.Record.PendingParts) == 0) _buffer.Settle(work.Record);
            Interlocked.Decrement(ref _inFlightParts);
        }
        MarkProgress();
    }

    private void MarkProgress() => Interlocked.Exchange(ref _lastProgressTicks, DateTime.UtcNow.Ticks);

    /// <summary>A record to send whole (<see cref="Series"/> null: its compressed body as is) or one shard's part of it.</summary>
    private readonly record struct Work(BufferedRecord Record, byte[]? Series, int Samples);
}
