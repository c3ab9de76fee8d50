using System.Text.RegularExpressions;

namespace Agent.Config;

/// <summary>[[scrape]] jobs and [scrape_docker]: Prometheus' scrape_config rules, with file:line:col per problem.</summary>
internal sealed partial class ConfigValidator
{
    private static readonly TimeSpan DefaultScrapeTimeout = TimeSpan.FromSeconds(10);

    private void ValidateScrape(AgentConfig config)
    {
        var jobs = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Scrape.Count; i++)
        {
            var job = config.Scrape[i];
            var at = $"scrape[{i}]";
            ValidateScrapeSettings(job, at, config.Agent.IntervalValue);
            job.JobName = Expand(job.JobName, at + ".job_name");
            if (job.JobName.Length == 0) Problem(at + ".job_name", "is required");
            else if (!jobs.Add(job.JobName)) Problem(at + ".job_name", $"\"{job.JobName}\" is used by another [[scrape]] job");
            if (job.Targets.Count == 0) Problem(at + ".targets", "needs at least one target (\"host:port\" or an http(s) URL)");
            job.TargetUrls.Clear();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var raw in job.Targets)
            {
                var target = Expand(raw, at + ".targets");
                if (Collectors.Scrape.TargetAddress.TryParse(target, job.Scheme, job.MetricsPath, out var url, out var error))
                {
                    if (!seen.Add(url.AbsoluteUri)) Problem(at + ".targets", $"\"{target}\" is listed twice");
                    job.TargetUrls.Add(url);
                }
                else
                {
                    Problem(at + ".targets", $"\"{target}\": {error}");
                }
            }
        }
        var docker = config.ScrapeDocker;
        ValidateScrapeSettings(docker, "scrape_docker", config.Agent.IntervalValue);
    }

    private void ValidateScrapeSettings(ScrapeSettings settings, string at, TimeSpan agentInterval)
    {
        Unknown(settings, at);
        settings.Interval = Expand(settings.Interval, at + ".interval");
        settings.IntervalValue = settings.Interval.Length == 0 ? agentInterval : DurationIn(settings.Interval, at + ".interval", Ms(100), Minutes(60));
        settings.Timeout = Expand(settings.Timeout, at + ".timeout");
        if (settings.Timeout.Length == 0)
        {
            settings.TimeoutValue = settings.IntervalValue < DefaultScrapeTimeout ? settings.IntervalValue : DefaultScrapeTimeout;
        }
        else
        {
            settings.TimeoutValue = DurationIn(settings.Timeout, at + ".timeout", Ms(10), Minutes(10));
            if (settings.TimeoutValue > settings.IntervalValue)
            {
                Problem(at + ".timeout", $"\"{settings.Timeout}\" is longer than the interval ({settings.IntervalValue.TotalSeconds:0.###}s): scrapes would overlap");
            }
        }
        settings.MetricsPath = Expand(settings.MetricsPath, at + ".metrics_path");
        if (!settings.MetricsPath.StartsWith('/')) Problem(at + ".metrics_path", $"\"{settings.MetricsPath}\" must start with /");
        if (settings.Scheme is not ("http" or "https")) Problem(at + ".scheme", $"\"{settings.Scheme}\" must be \"http\" or \"https\"");
        ValidateLabels(settings.Labels, at + ".labels", reservedToo: false);
        foreach (var name in settings.Labels.Keys)
        {
            if (name is "job" or "instance") Problem($"{at}.labels.{name}", $"\"{name}\" comes from job_name and the target address");
        }
        // 0 means no limit, as in Prometheus.
        CountIn(settings.SampleLimit, at + ".sample_limit", 0, 100_000_000, "samples");
        CountIn(settings.BodySizeLimit, at + ".body_size_limit", 0, 1024 * Mi, "bytes");
        CountIn(settings.LabelValueLengthLimit, at + ".label_value_length_limit", 0, 16 * Mi, "bytes");
        for (var r = 0; r < settings.MetricRelabel.Count; r++)
        {
            ValidateRelabel(settings.MetricRelabel[r], $"{at}.metric_relabel[{r}]");
        }
        settings.BearerToken = Expand(settings.BearerToken, at + ".bearer_token");
        settings.BearerTokenFile = PathValue(settings.BearerTokenFile, at + ".bearer_token_file");
        if (settings.BearerToken.Length > 0 && settings.BearerTokenFile.Length > 0)
        {
            Problem(at + ".bearer_token_file", "set either bearer_token or bearer_token_file, not both");
        }
        if (settings.BasicAuth is { } basic)
        {
            var b = at + ".basic_auth";
            Unknown(basic, b);
            basic.Username = Expand(basic.Username, b + ".username");
            basic.Password = Expand(basic.Password, b + ".password");
            basic.PasswordFile = PathValue(basic.PasswordFile, b + ".password_file");
            if (basic.Username.Length == 0) Problem(b + ".username", "is required with basic_auth");
            if (basic.Password.Length > 0 && basic.PasswordFile.Length > 0) Problem(b + ".password_file", "set either password or password_file, not both");
            if (settings.BearerToken.Length > 0 || settings.BearerTokenFile.Length > 0) Problem(b, "basic_auth and bearer_token(_file) are mutually exclusive");
        }
    }

    private void ValidateRelabel(MetricRelabelConfig rule, string at)
    {
        Unknown(rule, at);
        if (rule.Action is not ("keep" or "drop" or "labeldrop"))
        {
            Problem(at + ".action", $"\"{rule.Action}\" must be \"keep\", \"drop\" or \"labeldrop\"");
        }
        if (rule.Regex.Length == 0)
        {
            Problem(at + ".regex", "is required");
            return;
        }
        foreach (var name in rule.SourceLabels)
        {
            if (name != "__name__" && !IsLabelName(name)) Problem(at + ".source_labels", $"\"{name}\" is not a label name");
        }
        try
        {
            // Anchored as Prometheus anchors relabel regexes: "go_.*" must match the whole value.
            rule.RegexValue = new Regex($"^(?:{rule.Regex})$", RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            Problem(at + ".regex", $"invalid regular expression: {e.Message}");
        }
    }
}
