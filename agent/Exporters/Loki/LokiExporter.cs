using System.Net.Http.Headers;
using System.Threading.Channels;
using Agent.Config;
using Agent.Exporters.Http;
using Agent.Pipeline;
using Agent.Telemetry;
using Microsoft.Extensions.Logging;

namespace Agent.Exporters.Loki;

/// <summary>
/// One [[loki]] endpoint: entries are batched by batch_size bytes or batch_wait, up to
/// max_pending_batches wait in a bounded channel (a full channel makes WriteAsync wait: the
/// sources pause and their positions stay put), and one sender pushes them in order.
/// 2xx acknowledges the batch's entries; 5xx, 429 and network errors retry with capped
/// backoff and jitter (Retry-After wins); any other 4xx means Loki refused the entries for
/// good: they are counted, logged once per status, and acknowledged so the pipeline moves on.
/// Two refusals are about part of a push, so the push is split rather than dropped or retried
/// whole: 413 (too large) halves it until the halves fit, and a stream-limit 429 halves it by
/// stream until the streams Loki still takes are delivered; one entry still too large, or one
/// stream still refused, is dropped, counted and reported.
/// </summary>
public sealed class LokiExporter : ILogSink, IAsyncDisposable
{
    private readonly LokiConfig _config;
    private readonly EndpointClient _client;
    private readonly LokiEncoder _encoder = new();
    private readonly RetryingSender _poster;
    private readonly ILogger _logger;
    private readonly Channel<LokiBatch> _pending;
    private readonly SemaphoreSlim _batchGate = new(1, 1);
    private readonly CancellationTokenSource _hardStop = new();
    private readonly CancellationTokenSource _tickStop = new();
    private readonly HashSet<int> _loggedStatuses = [];
    private readonly Counter _sent, _bytes, _rejected, _tooLarge, _streamLimit;
    private long _streamLimitDropped, _streamLimitReportedAt;
    private LokiBatch? _current;
    private Task? _sendLoop, _ticker, _stopTask;

    public LokiExporter(LokiConfig config, SelfMetrics metrics, ILogger logger, HttpMessageHandler? handler = null)
    {
        _config = config;
        _client = new EndpointClient(config, handler, logger);
        _logger = logger;
        _pending = Channel.CreateBounded<LokiBatch>(new BoundedChannelOptions(config.MaxPendingBatches)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        Name = config.UrlValue.IsDefaultPort ? config.UrlValue.Host : $"{config.UrlValue.Host}:{config.UrlValue.Port}";
        var endpoint = new Label("endpoint", Name);
        _sent = metrics.Counter("agent_loki_entries_sent_total", "Log entries accepted by Loki.", endpoint);
        _bytes = metrics.Counter("agent_loki_bytes_sent_total", "Compressed bytes of accepted Loki pushes.", endpoint);
        _poster = new RetryingSender(_client, config, Name, "agent_loki", "Loki pushes", metrics, logger) { PermanentRefusal = IsStreamLimit };
        const string droppedHelp = "Log entries Loki refused, by reason.";
        _rejected = metrics.Counter("agent_loki_entries_dropped_total", droppedHelp, endpoint, new Label("reason", "rejected"));
        _tooLarge = metrics.Counter("agent_loki_entries_dropped_total", droppedHelp, endpoint, new Label("reason", "too_large"));
        _streamLimit = metrics.Counter("agent_loki_entries_dropped_total", droppedHelp, endpoint, new Label("reason", "stream_limit"));
    }

    public string Name { get; }

    /// <summary>Runs after a batch's entries were acknowledged (the log service saves positions here).</summary>
    public Action? AfterAcknowledge { get; init; }

    public async ValueTask WriteAsync(LogEntry entry, CancellationToken ct)
    {
        await _batchGate.WaitAsync(ct);
        try
        {
            (_current ??= new LokiBatch(DateTime.UtcNow)).Add(entry);
            if (_current.Bytes >= _config.BatchSize) await SealAsync(ct);
        }
        finally
        {
            _batchGate.Release();
        }
    }

    /// <summary>Moves the current batch to the pending channel; waits while the channel is full. Holds the gate.</summary>
    private async ValueTask SealAsync(CancellationToken ct)
    {
        var batch = _current;
        if (batch is null) return;
        await _pending.Writer.WriteAsync(batch, ct);
        _current = null;
    }

    public void Start()
    {
        _sendLoop ??= Task.Run(SendLoopAsync);
        _ticker ??= Task.Run(TickLoopAsync);
    }

    private async Task TickLoopAsync()
    {
        var ct = _tickStop.Token;
        var step = TimeSpan.FromMilliseconds(Math.Clamp(_config.BatchWaitValue.TotalMilliseconds / 4, 10, 250));
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(step, ct);
                await _batchGate.WaitAsync(ct);
                try
                {
                    if (_current is { } batch && DateTime.UtcNow - batch.Created >= _config.BatchWaitValue) await SealAsync(ct);
                }
                finally
                {
                    _batchGate.Release();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SendLoopAsync()
    {
        var ct = _hardStop.Token;
        try
        {
            await foreach (var batch in _pending.Reader.ReadAllAsync(ct))
            {
                if (!await SendWithRetryAsync(batch, ct)) return;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// A push body as Loki takes it: snappy-compressed protobuf with this content type and no
    /// Content-Encoding (also what `agent check` probes with).
    /// </summary>
    internal static HttpContent Content(ReadOnlyMemory<byte> body)
    {
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }

    /// <summary>True when the batch is settled; false only on hard stop (its entries stay unacknowledged).</summary>
    private async Task<bool> SendWithRetryAsync(LokiBatch batch, CancellationToken ct)
    {
        if (!await SendPartAsync(batch.Entries, ct)) return false;
        batch.Acknowledge();
        AfterAcknowledge?.Invoke();
        return true;
    }

    /// <summary>Sends entries until Loki has settled each of them; false only on hard stop.</summary>
    private async Task<bool> SendPartAsync(List<LogEntry> entries, CancellationToken ct)
    {
        // The encoder's buffer stays untouched until the next encode, and this sender is the only
        // one: no copy, so a 1 MiB push does not become a large-object allocation per batch.
        var body = _encoder.Encode(entries);
        var result = await _poster.SendAsync(() => Content(body), null, ct);
        if (result is not { } settled) return false;
        if (settled.Outcome == SendOutcome.Delivered)
        {
            _sent.Add(entries.Count);
            _bytes.Add(body.Length);
            return true;
        }
        if (settled.Code == 413)
        {
            if (entries.Count > 1)
            {
                var half = entries.Count / 2;
                return await SendPartAsync(entries[..half], ct) && await SendPartAsync(entries[half..], ct);
            }
            _tooLarge.Add(1);
            _logger.LogError("{Endpoint}: HTTP 413, a single entry of {Bytes} bytes is larger than Loki accepts; dropped (agent_loki_entries_dropped_total{{reason=\"too_large\"}})",
                Name, entries[0].Line.Length);
            return true;
        }
        if (settled.Code == 429)
        {
            var (first, second) = SplitByStream(entries);
            if (second.Count > 0) return await SendPartAsync(first, ct) && await SendPartAsync(second, ct);
            StreamRefused(entries, settled.Body);
            return true;
        }
        // Loki stores the valid entries of a push and names how many it ignored.
        var refused = LokiRejection.IgnoredCount(settled.Body) ?? entries.Count;
        _rejected.Add(refused);
        if (_loggedStatuses.Add(settled.Code))
        {
            _logger.LogError("{Endpoint}: HTTP {Code}, {Refused} of {Entries} entries refused (not retried; logged once per status): {Body}",
                Name, settled.Code, refused, entries.Count, settled.Body.Length > 512 ? settled.Body[..512] : settled.Body.Trim());
        }
        return true;
    }

    /// <summary>Loki's answer when a tenant has as many active streams as it may: new streams are refused until old ones go idle.</summary>
    internal static bool IsStreamLimit(string body) =>
        body.Contains("stream limit", StringComparison.OrdinalIgnoreCase) || body.Contains("stream_limit", StringComparison.OrdinalIgnoreCase);

    /// <summary>The streams of a push in two halves (each keeping its entries in order); the second is empty for one stream.</summary>
    private static (List<LogEntry> First, List<LogEntry> Second) SplitByStream(List<LogEntry> entries)
    {
        var seen = new HashSet<LogStream>(ReferenceEqualityComparer.Instance);
        var streams = new List<LogStream>();
        foreach (var entry in entries)
        {
            if (seen.Add(entry.Stream)) streams.Add(entry.Stream);
        }
        if (streams.Count < 2) return (entries, []);
        var firstHalf = new HashSet<LogStream>(streams.Take(streams.Count / 2), ReferenceEqualityComparer.Instance);
        var first = new List<LogEntry>();
        var second = new List<LogEntry>();
        foreach (var entry in entries) (firstHalf.Contains(entry.Stream) ? first : second).Add(entry);
        return (first, second);
    }

    /// <summary>
    /// One stream Loki will not create: its entries are dropped so that every other file keeps
    /// shipping. Loud (an error at most once a minute, with the count since the last one),
    /// since it means lost lines until the operator raises the limit or lowers cardinality.
    /// </summary>
    private void StreamRefused(List<LogEntry> entries, string body)
    {
        _streamLimit.Add(entries.Count);
        var dropped = Interlocked.Add(ref _streamLimitDropped, entries.Count);
        var now = Environment.TickCount64;
        if (_streamLimitReportedAt != 0 && now - _streamLimitReportedAt < 60_000) return;
        _streamLimitReportedAt = now;
        Interlocked.Exchange(ref _streamLimitDropped, 0);
        _logger.LogError("{Endpoint}: Loki's stream limit refuses new streams, {Dropped} entries dropped (e.g. stream {Stream}); other streams keep shipping. "
            + "Raise limits_config max_global_streams_per_user in Loki or use fewer label values. Loki said: {Body}",
            Name, dropped, entries[0].Stream.Selector, body.Length > 512 ? body[..512] : body.Trim());
    }

    /// <summary>
    /// Sends the open batch and everything pending until <paramref name="deadline"/>. What is
    /// left is not acknowledged, so file sources read it again on the next start. Idempotent.
    /// </summary>
    public Task StopAsync(TimeSpan deadline)
    {
        lock (_hardStop) return _stopTask ??= StopCoreAsync(deadline);
    }

    private async Task StopCoreAsync(TimeSpan deadline)
    {
        _tickStop.Cancel();
        if (_ticker is not null) await _ticker;
        using var sealTimeout = new CancellationTokenSource(deadline);
        try
        {
            await _batchGate.WaitAsync(sealTimeout.Token);
            try { await SealAsync(sealTimeout.Token); }
            finally { _batchGate.Release(); }
        }
        catch (OperationCanceledException)
        {
        }
        _pending.Writer.TryComplete();
        if (_sendLoop is not null && await Task.WhenAny(_sendLoop, Task.Delay(deadline)) != _sendLoop)
        {
            _hardStop.Cancel();
            await _sendLoop;
            _logger.LogWarning("{Endpoint}: shutdown deadline reached; unsent lines will be read again on the next start", Name);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero);
        _client.Dispose();
    }
}
