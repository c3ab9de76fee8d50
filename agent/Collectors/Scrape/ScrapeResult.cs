using Agent.Pipeline;

namespace Agent.Collectors.Scrape;

/// <summary>
/// What one scrape produced for the pipeline: the samples at the scrape's timestamp (with stale
/// markers for series that ended), batches for samples that carried their own timestamps, the
/// counts Prometheus reports, and on failure the reason (then only stale markers are sent).
/// </summary>
public sealed class ScrapeResult(List<MetricFamily> families, List<MetricBatch> timed, int scraped, int kept, int added, string? error)
{
    public List<MetricFamily> Families { get; } = families;
    public List<MetricBatch> Timed { get; } = timed;
    public int Scraped { get; } = scraped;
    public int PostRelabel { get; } = kept;
    public int SeriesAdded { get; } = added;
    public string? Error { get; } = error;
}
