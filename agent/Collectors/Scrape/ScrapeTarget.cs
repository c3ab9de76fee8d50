using Agent.Config;
using Agent.Pipeline;

namespace Agent.Collectors.Scrape;

/// <summary>
/// One endpoint to scrape: where, with which settings, and its target labels (job, instance,
/// the job's labels, and for discovered containers their name and compose project/service),
/// sorted. Equal job and URL mean the same target across discovery updates.
/// </summary>
public sealed class ScrapeTarget
{
    public ScrapeTarget(string job, Uri url, ScrapeSettings settings, IEnumerable<Label>? extra = null)
    {
        Job = job;
        Url = url;
        Settings = settings;
        Instance = TargetAddress.Instance(url);
        var labels = new List<Label>();
        foreach (var (name, value) in settings.Labels) labels.Add(new Label(name, value));
        if (extra is not null) labels.AddRange(extra);
        labels.Add(new Label("job", job));
        labels.Add(new Label("instance", Instance));
        Labels = Pipeline.Labels.Sorted(labels);
    }

    public string Job { get; }
    public Uri Url { get; }
    public string Instance { get; }
    public ScrapeSettings Settings { get; }
    public Label[] Labels { get; }

    /// <summary>Identity for discovery: the same container port found again is the same target.</summary>
    public string Key => $"{Job}\n{Url.AbsoluteUri}";
}
