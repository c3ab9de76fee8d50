using System.Net.Http.Headers;
using Agent.Config;
using Agent.Exporters.Http;
using Agent.Pipeline;
using Agent.Telemetry;
using Microsoft.Extensions.Logging;

namespace Agent.Exporters.RemoteWrite;

/// <summary>
/// One [[remote_write]] endpoint: queue → encode → POST → retry. 2xx releases the samples;
/// 5xx, 429 and network errors retry the same request with capped backoff and jitter
/// (Retry-After wins); any other 4xx drops the request, logged once per status and counted.
/// Never throws: an exporter problem must not stop collection.
/// </summary>
public sealed class RemoteWriteExporter : IAsyncDisposable
{
    private readonly EndpointClient _client;
    private readonly RemoteWriteEncoder _encoder;
    private readonly SampleQueue _queue;
    private readonly RetryingSender _sender;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _hardStop = new();
    private readonly HashSet<int> _loggedStatuses = [];
    private readonly Counter _sent, _droppedQueueFull, _droppedRejected, _droppedShutdown;
    private readonly Gauge _queued, _lastSuccess;
    private volatile bool _stopping;
    private Task? _loop;
    private Task? _stopTask;

    public RemoteWriteExporter(RemoteWriteConfig config, Label[] externalLabels, SelfMetrics metrics, ILogger logger, HttpMessageHandler? handler = null)
    {
        _client = new EndpointClient(config, handler);
        _encoder = new RemoteWriteEncoder(externalLabels);
        _queue = new SampleQueue(config.Capacity, config.MaxSamplesPerSend);
        _logger = logger;
        Name = config.UrlValue.IsDefaultPort ? config.UrlValue.Host : $"{config.UrlValue.Host}:{config.UrlValue.Port}";
        var endpoint = new Label("endpoint", Name);
        _sender = new RetryingSender(_client, config, Name, "agent_remote_write", "Remote-write requests", metrics, logger);
        _sent = metrics.Counter("agent_remote_write_samples_sent_total", "Samples accepted by the remote-write endpoint.", endpoint);
        const string dropHelp = "Samples dropped by reason (queue_full, rejected, shutdown).";
        _droppedQueueFull = metrics.Counter("agent_remote_write_samples_dropped_total", dropHelp, endpoint, new Label("reason", "queue_full"));
        _droppedRejected = metrics.Counter("agent_remote_write_samples_dropped_total", dropHelp, endpoint, new Label("reason", "rejected"));
        _droppedShutdown = metrics.Counter("agent_remote_write_samples_dropped_total", dropHelp, endpoint, new Label("reason", "shutdown"));
        _queued = metrics.Gauge("agent_remote_write_queue_samples", "Samples waiting in the remote-write queue.", endpoint);
        _lastSuccess = metrics.Gauge("agent_remote_write_last_success_timestamp_seconds", "Unix time of the last accepted remote-write request.", endpoint);
    }

    /// <summary>host:port of the endpoint, for logs and the endpoint label.</summary>
    public string Name { get; }

    public void Enqueue(MetricBatch batch)
    {
        if (_stopping) return;
        var dropped = _queue.Enqueue(batch);
        if (dropped > 0) _droppedQueueFull.Add(dropped);
        _queued.Set(_queue.Samples);
    }

    public void Start() => _loop ??= Task.Run(SendLoopAsync);

    /// <summary>Stops accepting, sends what is queued until <paramref name="deadline"/>, then gives up. Idempotent.</summary>
    public Task StopAsync(TimeSpan deadline)
    {
        lock (_hardStop) return _stopTask ??= StopCoreAsync(deadline);
    }

    private async Task StopCoreAsync(TimeSpan deadline)
    {
        _stopping = true;
        _queue.Wake();
        if (_loop is not null)
        {
            if (await Task.WhenAny(_loop, Task.Delay(deadline)) != _loop) _hardStop.Cancel();
            try { await _loop; } catch (OperationCanceledException) { }
        }
        var left = 0;
        while (_queue.Samples > 0)
        {
            foreach (var chunk in _queue.Take()) left += chunk.Count;
        }
        if (left > 0)
        {
            _droppedShutdown.Add(left);
            _logger.LogWarning("{Endpoint}: {Samples} samples not delivered before the shutdown deadline", Name, left);
        }
        _queued.Set(0);
    }

    private async Task SendLoopAsync()
    {
        var ct = _hardStop.Token;
        while (!ct.IsCancellationRequested)
        {
            var chunks = _queue.Take();
            if (chunks.Count == 0)
            {
                if (_stopping) return;
                try { await _queue.WaitAsync(ct); } catch (OperationCanceledException) { return; }
                continue;
            }
            _queued.Set(_queue.Samples);
            var samples = 0;
            foreach (var c in chunks) samples += c.Count;
            // Sent straight from the encoder's reused buffer: this loop is its only user.
            var body = _encoder.Encode(chunks);
            if (!await SendWithRetryAsync(body, samples, ct))
            {
                _droppedShutdown.Add(samples);
                return;
            }
        }
    }

    /// <summary>True when the request is settled (delivered or rejected); false only on hard stop.</summary>
    private async Task<bool> SendWithRetryAsync(ReadOnlyMemory<byte> body, int samples, CancellationToken ct)
    {
        var result = await _sender.SendAsync(() => Content(body), RemoteWriteHeaders, ct);
        if (result is not { } settled) return false;
        if (settled.Outcome == SendOutcome.Delivered)
        {
            _sent.Add(samples);
            _lastSuccess.Set(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
            return true;
        }
        _droppedRejected.Add(samples);
        if (_loggedStatuses.Add(settled.Code))
        {
            var text = settled.Body.Length > 512 ? settled.Body[..512] : settled.Body.Trim();
            _logger.LogError("{Endpoint}: HTTP {Code}, {Samples} samples dropped (not retried; logged once per status): {Body}",
                Name, settled.Code, samples, text);
        }
        return true;
    }

    /// <summary>A remote-write body as the spec wants it labelled (also what `agent check` probes with).</summary>
    internal static HttpContent Content(ReadOnlyMemory<byte> body)
    {
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        return content;
    }

    internal static readonly KeyValuePair<string, string>[] RemoteWriteHeaders =
        [new("X-Prometheus-Remote-Write-Version", "0.1.0")];

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero);
        _client.Dispose();
        _hardStop.Dispose();
    }
}
