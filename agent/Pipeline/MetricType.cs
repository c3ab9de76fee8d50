namespace Agent.Pipeline;

public enum MetricType
{
    Untyped,
    Counter,
    Gauge,
}
