using Agent.Collectors.Scrape;
using Agent.Config;

namespace Agent.Tests.Collectors.Scrape;

/// <summary>Scrape jobs as the config validator would leave them, without a file.</summary>
internal static class ScrapeTestTargets
{
    public static ScrapeConfig Job(string name = "app", TimeSpan? interval = null, TimeSpan? timeout = null)
    {
        var job = new ScrapeConfig { JobName = name };
        job.IntervalValue = interval ?? TimeSpan.FromSeconds(1);
        job.TimeoutValue = timeout ?? job.IntervalValue;
        return job;
    }

    public static ScrapeTarget Target(ScrapeConfig job, string address = "127.0.0.1:9100") =>
        new(job.JobName, new Uri($"http://{address}/metrics"), job);

    public static MetricRelabelConfig Rule(string action, string regex, params string[] sourceLabels)
    {
        var rule = new MetricRelabelConfig { Action = action, Regex = regex, RegexValue = new System.Text.RegularExpressions.Regex($"^(?:{regex})$") };
        if (sourceLabels.Length > 0) rule.SourceLabels = [.. sourceLabels];
        return rule;
    }
}
