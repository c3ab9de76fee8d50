namespace Agent.Pipeline;

/// <summary>Where finished metric batches go (every remote-write queue). Never blocks the collection clock.</summary>
public interface IMetricSink
{
    void Enqueue(MetricBatch batch);
}
