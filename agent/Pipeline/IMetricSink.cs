namespace Agent.Pipeline;

/// <summary>
/// Where finished metric batches go (every remote-write queue). Never blocks the collection clock.
/// Called concurrently: by the collection clock and by every scrape target's own loop.
/// </summary>
public interface IMetricSink
{
    void Enqueue(MetricBatch batch);
}
