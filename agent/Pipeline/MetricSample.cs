namespace Agent.Pipeline;

/// <summary>One series' value in a cycle. <see cref="Labels"/> is sorted and excludes __name__.</summary>
public readonly record struct MetricSample(Label[] Labels, double Value);
