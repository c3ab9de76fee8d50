using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Agent.Config;

/// <summary>
/// What every scrape source shares ([[scrape]] jobs and [scrape_docker] discovery): Prometheus'
/// scrape_config keys under the same names, with Prometheus' defaults.
/// </summary>
public abstract class ScrapeSettings : ConfigTable
{
    /// <summary>Empty: [agent] interval.</summary>
    public string Interval { get; set; } = "";
    /// <summary>Empty: 10 s, or the interval when that is shorter (Prometheus' rule).</summary>
    public string Timeout { get; set; } = "";
    [JsonPropertyName("metrics_path")]
    public string MetricsPath { get; set; } = "/metrics";
    public string Scheme { get; set; } = "http";
    /// <summary>Scraped labels win over job/instance/labels instead of becoming exported_*.</summary>
    [JsonPropertyName("honor_labels")]
    public bool HonorLabels { get; set; }
    /// <summary>Timestamps the target exposes are kept (and such series get no stale markers).</summary>
    [JsonPropertyName("honor_timestamps")]
    public bool HonorTimestamps { get; set; } = true;
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);
    /// <summary>More samples than this after metric_relabel fails the scrape; 0: no limit.</summary>
    [JsonPropertyName("sample_limit")]
    public int SampleLimit { get; set; }
    /// <summary>A larger uncompressed body fails the scrape; 0: no limit.</summary>
    [JsonPropertyName("body_size_limit")]
    public long BodySizeLimit { get; set; }
    /// <summary>A longer label value fails the scrape; 0: no limit.</summary>
    [JsonPropertyName("label_value_length_limit")]
    public int LabelValueLengthLimit { get; set; } = 2048;
    [JsonPropertyName("metric_relabel")]
    public List<MetricRelabelConfig> MetricRelabel { get; set; } = [];
    [JsonPropertyName("basic_auth")]
    public BasicAuthConfig? BasicAuth { get; set; }
    [JsonPropertyName("bearer_token")]
    public string BearerToken { get; set; } = "";
    [JsonPropertyName("bearer_token_file")]
    public string BearerTokenFile { get; set; } = "";

    [JsonIgnore] public TimeSpan IntervalValue { get; set; }
    [JsonIgnore] public TimeSpan TimeoutValue { get; set; }
}

/// <summary>One [[scrape]] job: a name and static targets.</summary>
public sealed class ScrapeConfig : ScrapeSettings
{
    [JsonPropertyName("job_name")]
    public string JobName { get; set; } = "";
    /// <summary>"host:port" (scheme and metrics_path added) or a full http(s) URL.</summary>
    public List<string> Targets { get; set; } = [];

    [JsonIgnore] public List<Uri> TargetUrls { get; set; } = [];
}

/// <summary>[scrape_docker]: containers labelled prometheus.io/scrape=true, found through the tracker [containers] runs.</summary>
public sealed class DockerScrapeSection : ScrapeSettings
{
    public bool Enabled { get; set; } = true;
}

/// <summary>One metric_relabel rule: keep or drop series whose source labels match, or drop labels by name.</summary>
public sealed class MetricRelabelConfig : ConfigTable
{
    /// <summary>keep, drop or labeldrop.</summary>
    public string Action { get; set; } = "";
    [JsonPropertyName("source_labels")]
    public List<string> SourceLabels { get; set; } = ["__name__"];
    public string Separator { get; set; } = ";";
    /// <summary>Anchored at both ends, as in Prometheus.</summary>
    public string Regex { get; set; } = "";

    [JsonIgnore] public Regex? RegexValue { get; set; }
}
