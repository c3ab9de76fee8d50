namespace Agent.Collectors.Exposition;

/// <summary>The two text formats a /metrics endpoint may answer with.</summary>
public enum ExpositionFormat
{
    /// <summary>Prometheus text format 0.0.4 (text/plain; version=0.0.4), also what *.prom files hold.</summary>
    Text,
    /// <summary>OpenMetrics 1.0 (application/openmetrics-text): # EOF required, timestamps in seconds, exemplars.</summary>
    OpenMetrics,
}

/// <summary>Content negotiation as Prometheus does it.</summary>
public static class ExpositionContentType
{
    /// <summary>What Prometheus 2.x sends: OpenMetrics preferred, text 0.0.4 accepted, anything else last.</summary>
    public const string Accept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    /// <summary>OpenMetrics only when the target says so; anything else (including none) is read as text 0.0.4, as Prometheus 2 does.</summary>
    public static ExpositionFormat FromMediaType(string? mediaType) =>
        string.Equals(mediaType, "application/openmetrics-text", StringComparison.OrdinalIgnoreCase) ? ExpositionFormat.OpenMetrics : ExpositionFormat.Text;
}
