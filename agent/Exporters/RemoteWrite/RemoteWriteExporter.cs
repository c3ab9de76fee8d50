using System.Net.Http.Headers;
using Agent.Config;
using Agent.Exporters.Http;
using Agent.Exporters.RemoteWrite.Buffer;
using Agent.Pipeline;
using Agent.Telemetry;
using Microsoft.Extensions.Logging;

namespace Agent.Exporters.RemoteWrite;

/// <summary>
/// One [[remote_write]] endpoint: queue → (disk buffer) → sharded sender → POST → retry.
/// Batches enter a bounded sample queue without blocking collection. With buffer = "disk" an
/// appender encodes them into requests on disk, which survive outages and restarts and are
/// released only when acknowledged; with "memory" the queue is the buffer. 2xx releases;
/// 5xx, 429 and network errors retry with capped backoff and jitter (Retry-After wins); any
/// other 4xx drops the request, logged once per status and counted. Never throws: an
/// exporter problem must not stop collection.
/// </summary>
public sealed class RemoteWriteExporter : IAsyncDisposable
{
    /// <summary>At shutdown a disk buffer keeps what is unsent; in-flight requests get this long to land.</summary>
    private static readonly TimeSpan DiskInFlightGrace = TimeSpan.FromSeconds(2);

    private readonly EndpointClient _client;
    private readonly RemoteWriteEncoder _encoder;
    private readonly SampleQueue _queue;
    private readonly DiskBuffer? _disk;
    private readonly ShardedSender _sender;
    private readonly TimeSpan _syncInterval;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _hardStop = new();
    private readonly CancellationTokenSource _stopReading = new();
    private readonly Counter _droppedQueueFull, _droppedShutdown;
    private readonly Gauge _queued;
    private volatile bool _stopping;
    private Task? _loop;
    private Task? _appender;
    private Task? _syncer;
    private Task? _stopTask;

    /// <param name="dataDir">[agent] data_dir: where a disk buffer lives (required for buffer = "disk").</param>
    public RemoteWriteExporter(RemoteWriteConfig config, Label[] externalLabels, SelfMetrics metrics, ILogger logger,
        HttpMessageHandler? handler = null, string? dataDir = null)
    {
        _client = new EndpointClient(config, handler, logger);
        _encoder = new RemoteWriteEncoder(externalLabels);
        _queue = new SampleQueue(config.Capacity, config.MaxSamplesPerSend);
        _syncInterval = config.BufferSyncIntervalValue;
        _logger = logger;
        Name = NameOf(config);
        var endpoint = new Label("endpoint", Name);
        var retrying = new RetryingSender(_client, config, Name, "agent_remote_write", "Remote-write requests", metrics, logger);
        const string dropHelp = "Samples dropped by reason (queue_full, rejected, shutdown, buffer_full, too_old).";
        _droppedQueueFull = metrics.Counter("agent_remote_write_samples_dropped_total", dropHelp, endpoint, new Label("reason", "queue_full"));
        _droppedShutdown = metrics.Counter("agent_remote_write_samples_dropped_total", dropHelp, endpoint, new Label("reason", "shutdown"));
        _queued = metrics.Gauge("agent_remote_write_queue_samples", "Samples waiting in the remote-write queue.", endpoint);
        var bufferMetrics = new BufferMetrics(metrics, Name);
        var counters = new SendCounters(
            metrics.Counter("agent_remote_write_samples_sent_total", "Samples accepted by the remote-write endpoint.", endpoint),
            metrics.Counter("agent_remote_write_samples_dropped_total", dropHelp, endpoint, new Label("reason", "rejected")),
            bufferMetrics.TooOld,
            metrics.Gauge("agent_remote_write_last_success_timestamp_seconds", "Unix time of the last accepted remote-write request.", endpoint));
        IRecordBuffer buffer;
        if (config.DiskBuffer)
        {
            ArgumentNullException.ThrowIfNull(dataDir);
            _disk = new DiskBuffer(BufferDirectory(dataDir, config), config.MaxBufferBytes, bufferMetrics, logger, Name);
            buffer = _disk;
        }
        else
        {
            buffer = new MemoryBuffer(_queue, _encoder, config.MaxSamplesPerSend);
        }
        _sender = new ShardedSender(buffer, retrying, config.MaxShards, config.MaxSamplesPerSend, config.MaxBufferAgeValue, counters, logger, Name);
    }

    /// <summary>host:port of the endpoint, for logs and the endpoint label.</summary>
    public string Name { get; }

    public static string NameOf(RemoteWriteConfig config) =>
        config.UrlValue.IsDefaultPort ? config.UrlValue.Host : $"{config.UrlValue.Host}:{config.UrlValue.Port}";

    /// <summary>data_dir/remote_write/host_port-crc: one directory per endpoint URL, stable across restarts.</summary>
    public static string BufferDirectory(string dataDir, RemoteWriteConfig config)
    {
        var name = NameOf(config).Replace(':', '_').Replace('/', '_');
        var url = System.Text.Encoding.UTF8.GetBytes(config.UrlValue.AbsoluteUri);
        return Path.Combine(dataDir, "remote_write", $"{name}-{Crc32C.Compute(url):x8}");
    }

    /// <summary>False when data is pending and nothing was acknowledged or dropped for <paramref name="stallTimeout"/>.</summary>
    public bool Healthy(TimeSpan stallTimeout) => _sender.Healthy(stallTimeout);

    public void Enqueue(MetricBatch batch)
    {
        if (_stopping) return;
        var dropped = _queue.Enqueue(batch);
        if (dropped > 0) _droppedQueueFull.Add(dropped);
        _queued.Set(_queue.Samples);
    }

    public void Start()
    {
        if (_loop is not null) return;
        _loop = Task.Run(() => _sender.RunAsync(_stopReading.Token, drain: _disk is null, _hardStop.Token));
        if (_disk is null) return;
        _appender = Task.Run(() => Guarded.LoopAsync(AppendAsync, "buffer append", Name, _logger, _hardStop.Token));
        _syncer = Task.Run(SyncLoopAsync);
    }

    /// <summary>Moves queued batches into the disk buffer as requests; done when stopping and the queue is empty.</summary>
    private async Task<bool> AppendAsync()
    {
        while (true)
        {
            var chunks = _queue.Take();
            if (chunks.Count == 0)
            {
                if (_stopping) return true;
                await _queue.WaitAsync(_hardStop.Token);
                continue;
            }
            _queued.Set(_queue.Samples);
            var samples = 0;
            var oldest = long.MaxValue;
            foreach (var chunk in chunks)
            {
                samples += chunk.Count;
                oldest = Math.Min(oldest, chunk.Batch.TimestampMs);
            }
            _disk!.Append(oldest, samples, _encoder.Encode(chunks).Span);
        }
    }

    private async Task SyncLoopAsync()
    {
        using var timer = new PeriodicTimer(_syncInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopReading.Token)) _disk!.Sync();
        }
        catch (OperationCanceledException)
        {
            // Stopping: the final sync runs in StopCoreAsync after the sender is done.
        }
    }

    /// <summary>
    /// Stops accepting. Memory: sends what is queued until <paramref name="deadline"/>, then counts
    /// the rest as dropped. Disk: queued batches go to disk, in-flight requests get a moment to
    /// land, and everything unsent stays buffered for the next start. Idempotent.
    /// </summary>
    public Task StopAsync(TimeSpan deadline)
    {
        lock (_hardStop) return _stopTask ??= StopCoreAsync(deadline);
    }

    private async Task StopCoreAsync(TimeSpan deadline)
    {
        var started = DateTime.UtcNow;
        _stopping = true;
        _queue.Wake();
        if (_appender is not null && await Task.WhenAny(_appender, Task.Delay(deadline)) != _appender)
        {
            _logger.LogWarning("{Endpoint}: the disk buffer did not take the last batches within the shutdown deadline", Name);
        }
        _stopReading.Cancel();
        if (_loop is not null)
        {
            var left = deadline - (DateTime.UtcNow - started);
            if (_disk is not null && left > DiskInFlightGrace) left = DiskInFlightGrace;
            if (left < TimeSpan.Zero || await Task.WhenAny(_loop, Task.Delay(left)) != _loop) _hardStop.Cancel();
            await _loop;
        }
        _hardStop.Cancel();
        if (_syncer is not null) await _syncer;
        if (_appender is not null) await _appender;
        if (_disk is not null)
        {
            _disk.Dispose();
            var unsent = _disk.Unread;
            if (unsent > 0 || _sender.InFlightSamples > 0)
            {
                _logger.LogInformation("{Endpoint}: unsent requests stay in the disk buffer ({Bytes} bytes) and are sent after the next start", Name, _disk.Bytes);
            }
            return;
        }
        var dropped = _sender.InFlightSamples;
        while (_queue.Samples > 0)
        {
            foreach (var chunk in _queue.Take()) dropped += chunk.Count;
        }
        if (dropped > 0)
        {
            _droppedShutdown.Add(dropped);
            _logger.LogWarning("{Endpoint}: {Samples} samples not delivered before the shutdown deadline", Name, dropped);
        }
        _queued.Set(0);
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
        _stopReading.Dispose();
    }
}
