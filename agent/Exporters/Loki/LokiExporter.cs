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
    private readonly Counter _sent, _bytes, _rejected;
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
        _poster = new RetryingSender(_client, config, Name, "agent_loki", "Loki pushes", metrics, logger);
        _rejected = metrics.Counter("agent_loki_entries_dropped_total", "Log entries Loki refused, by reason.", endpoint, new Label("reason", "rejected"));
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
        // The encoder's buffer stays untouched until the next batch, and this sender is the only
        // one: no copy, so a 1 MiB push does not become a large-object allocation per batch.
        var body = _encoder.Encode(batch.Entries);
        var result = await _poster.SendAsync(() => Content(body), null, ct);
        if (result is not { } settled) return false;
        if (settled.Outcome == SendOutcome.Delivered)
        {
            _sent.Add(batch.Entries.Count);
            _bytes.Add(body.Length);
        }
        else
        {
            // Loki stores the valid entries of a push and names how many it ignored.
            var refused = LokiRejection.IgnoredCount(settled.Body) ?? batch.Entries.Count;
            _rejected.Add(refused);
            if (_loggedStatuses.Add(settled.Code))
            {
                _logger.LogError("{Endpoint}: HTTP {Code}, {Refused} of {Entries} entries refused (not retried; logged once per status): {Body}",
                    Name, settled.Code, refused, batch.Entries.Count, settled.Body.Length > 512 ? settled.Body[..512] : settled.Body.Trim());
            }
        }
        batch.Acknowledge();
        AfterAcknowledge?.Invoke();
        return true;
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
