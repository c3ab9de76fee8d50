using Agent.Pipeline;

namespace Agent.Exporters.RemoteWrite;

/// <summary>
/// The bounded in-memory queue in front of one remote-write endpoint, measured in samples.
/// Batches are cut into chunks of at most max_samples_per_send on the way in; when full, the
/// oldest chunks go first: during an outage the newest data is the most useful, and memory
/// stays bounded whatever the monitor does. The batch just added is never cut, so one scrape
/// larger than the capacity (a 50,000-series target) still reaches the disk buffer whole.
/// </summary>
public sealed class SampleQueue(int capacity, int maxSamplesPerSend)
{
    private readonly LinkedList<SeriesChunk> _chunks = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _signal = new(0);
    private int _samples;

    public int Samples { get { lock (_gate) return _samples; } }

    /// <summary>Adds a batch; returns how many old samples were dropped to make room.</summary>
    public int Enqueue(MetricBatch batch)
    {
        var total = batch.SampleCount;
        if (total == 0) return 0;
        var dropped = 0;
        lock (_gate)
        {
            for (var start = 0; start < total; start += maxSamplesPerSend)
            {
                var chunk = new SeriesChunk(batch, start, Math.Min(maxSamplesPerSend, total - start));
                _chunks.AddLast(chunk);
                _samples += chunk.Count;
            }
            while (_samples > capacity && _chunks.First is { } oldest && !ReferenceEquals(oldest.Value.Batch, batch))
            {
                _chunks.RemoveFirst();
                _samples -= oldest.Value.Count;
                dropped += oldest.Value.Count;
            }
        }
        _signal.Release();
        return dropped;
    }

    /// <summary>Takes chunks from the head, up to max_samples_per_send samples in all (at least one chunk).</summary>
    public List<SeriesChunk> Take()
    {
        var taken = new List<SeriesChunk>();
        lock (_gate)
        {
            var samples = 0;
            while (_chunks.First is { } head && (taken.Count == 0 || samples + head.Value.Count <= maxSamplesPerSend))
            {
                _chunks.RemoveFirst();
                taken.Add(head.Value);
                samples += head.Value.Count;
                _samples -= head.Value.Count;
            }
        }
        return taken;
    }

    /// <summary>Waits until something may have been enqueued.</summary>
    public Task WaitAsync(CancellationToken ct) => _signal.WaitAsync(ct);

    /// <summary>Wakes a waiting sender without data (shutdown).</summary>
    public void Wake() => _signal.Release();
}
