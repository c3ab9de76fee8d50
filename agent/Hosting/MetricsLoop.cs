using Agent.Collectors;
using Agent.Pipeline;
using Agent.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agent.Hosting;

/// <summary>
/// The collection clock: every interval each job's collectors run once, and the batch goes to
/// the pull endpoint and to every remote-write queue. Stopping this first (it is registered
/// after the exporters) means nothing new is queued while the exporters flush.
/// </summary>
internal sealed class MetricsLoop(
    TimeSpan interval,
    IReadOnlyList<CollectorRunner> runners,
    LatestMetrics latest,
    IMetricSink sink,
    SelfMetrics self,
    ILogger<MetricsLoop> logger) : BackgroundService
{
    /// <summary>
    /// Garbage allocated between forced collections. The runtime sizes gen0 from the CPU cache
    /// (tens of MiB here), so an agent allocating ~60 KiB per cycle would otherwise carry
    /// megabytes of dead objects for many minutes; a compacting collection of a small heap costs
    /// about a millisecond, every few hundred cycles.
    /// </summary>
    private const long CollectEveryAllocatedBytes = 4 * 1024 * 1024;

    /// <summary>One per runner, plus the last for the agent's own batch; pushed batches only (pull mode has no staleness to signal).</summary>
    private readonly StaleMarkers[] _stale = [.. Enumerable.Range(0, runners.Count + 1).Select(_ => new StaleMarkers())];
    private long _lastCycleTicks;
    private long _allocatedAtLastCollect;

    /// <summary>Healthy while cycles keep completing; a wedged collector shows up in /healthz.</summary>
    public bool Healthy
    {
        get
        {
            var last = Interlocked.Read(ref _lastCycleTicks);
            return last != 0 && DateTime.UtcNow.Ticks - last < (interval * 3 + TimeSpan.FromSeconds(5)).Ticks;
        }
    }

    /// <summary>One cycle of every job; also what `check --metrics` prints.</summary>
    public void CollectOnce()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < runners.Count; i++)
        {
            var batch = runners[i].Collect(now);
            latest.Publish(batch);
            sink.Enqueue(_stale[i].Mark(batch));
        }
        var allocated = GC.GetTotalAllocatedBytes();
        if (allocated - _allocatedAtLastCollect > CollectEveryAllocatedBytes)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            _allocatedAtLastCollect = allocated;
        }
        var gc = GC.GetGCMemoryInfo();
        self.Gauge("agent_gc_heap_bytes", "Managed heap size after the last garbage collection.").Set(gc.HeapSizeBytes);
        self.Gauge("agent_gc_committed_bytes", "Memory committed by the garbage collector.").Set(gc.TotalCommittedBytes);
        self.Gauge("agent_resident_memory_bytes", "Resident set size of the agent process.").Set(Environment.WorkingSet);
        self.Counter("agent_collection_cycles_total", "Collection cycles completed.").Add();
        // The agent's own metrics travel too, so the monitor sees a node's agent health without scraping it.
        sink.Enqueue(_stale[^1].Mark(new MetricBatch("agent", now, self.Snapshot())));
        Interlocked.Exchange(ref _lastCycleTicks, DateTime.UtcNow.Ticks);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                CollectOnce();
            }
            catch (Exception e)
            {
                // The message as a sentence for operators; the stack trace for whoever debugs it.
                logger.LogError("collection cycle failed: {Error} ({Type})", Telemetry.ErrorText.Of(e), e.GetType().Name);
                logger.LogDebug(e, "collection cycle failed");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
