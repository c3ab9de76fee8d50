using Agent.Pipeline;

namespace Agent.Collectors.Scrape;

/// <summary>One series a target exposed: its final name and labels, built once when it first appeared.</summary>
internal sealed class SeriesEntry(string name, Label[] labels, bool dropped)
{
    public string Name { get; } = name;
    public Label[] Labels { get; } = labels;
    /// <summary>metric_relabel dropped it: counted as scraped, never sent.</summary>
    public bool Dropped { get; } = dropped;
    /// <summary>The scrape that last listed it (a second listing in one scrape is a duplicate).</summary>
    public int SeenIn { get; set; }
    /// <summary>Listed with its own timestamp (and honor_timestamps): sent at that time, never marked stale.</summary>
    public bool Timed { get; set; }
    /// <summary>The last exposed timestamp sent; an exposed timestamp must move forward to be sent again.</summary>
    public long LastTimestampMs { get; set; } = long.MinValue;
    /// <summary>The successful scrape that last sent it without an explicit timestamp; it gets a stale marker when it goes.</summary>
    public int SentIn { get; set; } = -1;
}
