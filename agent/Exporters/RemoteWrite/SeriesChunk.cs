using Agent.Pipeline;

namespace Agent.Exporters.RemoteWrite;

/// <summary>
/// A run of a batch's samples (in family order, flattened) that fits one request. Batches are
/// immutable, so a chunk is just a window onto one: no copy of labels or values.
/// </summary>
public readonly record struct SeriesChunk(MetricBatch Batch, int Start, int Count);
