using Agent.Config;
using Xunit;

namespace Agent.Tests.Config;

public sealed class ScrapeConfigTests
{
    private static AgentConfig Parse(string text) => ConfigLoader.Parse(text, "/etc/agent/agent.toml", _ => null);

    private static string Problems(string text) =>
        string.Join('\n', Assert.Throws<ConfigException>(() => Parse(text)).Problems);

    [Fact]
    public void Scrape_jobs_take_prometheus_defaults_and_turn_targets_into_urls()
    {
        var config = Parse("""
            [agent]
            interval = "5s"

            [[scrape]]
            job_name = "nginx"
            targets = ["127.0.0.1:9113", "https://10.0.0.2:8443/custom/metrics?x=1", "http://10.0.0.3:9100"]

            [[scrape]]
            job_name = "slow"
            targets = ["127.0.0.1:9200"]
            interval = "1m"
            metric_relabel = [{ action = "drop", regex = "go_.*" }]
            """);
        var nginx = config.Scrape[0];
        Assert.Equal(TimeSpan.FromSeconds(5), nginx.IntervalValue);
        Assert.Equal(TimeSpan.FromSeconds(5), nginx.TimeoutValue);
        Assert.Equal(["http://127.0.0.1:9113/metrics", "https://10.0.0.2:8443/custom/metrics?x=1", "http://10.0.0.3:9100/metrics"],
            nginx.TargetUrls.Select(u => u.AbsoluteUri));
        Assert.True(nginx.HonorTimestamps);
        Assert.False(nginx.HonorLabels);
        Assert.Equal(2048, nginx.LabelValueLengthLimit);
        var slow = config.Scrape[1];
        Assert.Equal(TimeSpan.FromSeconds(10), slow.TimeoutValue);
        Assert.Equal(["__name__"], slow.MetricRelabel[0].SourceLabels);
        Assert.Matches(slow.MetricRelabel[0].RegexValue!, "go_goroutines");
        Assert.DoesNotMatch(slow.MetricRelabel[0].RegexValue!, "xgo_goroutines");
        Assert.True(config.ScrapeDocker.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(5), config.ScrapeDocker.IntervalValue);
    }

    [Fact]
    public void Bad_scrape_settings_are_named_with_their_position()
    {
        var problems = Problems("""
            [[scrape]]
            job_name = "a"
            targets = ["localhost", "ftp://x:21/", "127.0.0.1:1", "127.0.0.1:1"]
            interval = "10s"
            timeout = "20s"
            labels = { job = "x", instance = "y" }
            metric_relabel = [{ action = "replace", regex = "(" }]

            [[scrape]]
            job_name = "a"
            targets = []
            sample_limit = -1

            [scrape_docker]
            scheme = "gopher"
            """);
        Assert.Contains("agent.toml:3:1: scrape[0].targets: \"localhost\": needs a port", problems);
        Assert.Contains("scrape[0].targets: \"ftp://x:21/\": not \"host:port\" nor an absolute http(s) URL", problems);
        Assert.Contains("scrape[0].targets: \"127.0.0.1:1\" is listed twice", problems);
        Assert.Contains("agent.toml:5:1: scrape[0].timeout: \"20s\" is longer than the interval (10s)", problems);
        Assert.Contains("scrape[0].labels.instance: \"instance\" comes from job_name and the target address", problems);
        Assert.Contains("scrape[0].labels.job: \"job\" comes from job_name", problems);
        Assert.Contains("scrape[0].metric_relabel[0].action: \"replace\" must be \"keep\", \"drop\" or \"labeldrop\"", problems);
        Assert.Contains("scrape[0].metric_relabel[0].regex: invalid regular expression", problems);
        Assert.Contains("agent.toml:10:1: scrape[1].job_name: \"a\" is used by another [[scrape]] job", problems);
        Assert.Contains("scrape[1].targets: needs at least one target", problems);
        Assert.Contains("scrape[1].sample_limit: -1 is out of range: allowed 0 to 100000000 samples", problems);
        Assert.Contains("agent.toml:15:1: scrape_docker.scheme: \"gopher\" must be \"http\" or \"https\"", problems);
    }

    [Fact]
    public void Relabel_tables_of_the_second_job_are_numbered_from_zero()
    {
        var problems = Problems("""
            [[scrape]]
            job_name = "a"
            targets = ["127.0.0.1:1"]
            [[scrape.metric_relabel]]
            action = "drop"
            regex = "x"

            [[scrape]]
            job_name = "b"
            targets = ["127.0.0.1:2"]
            [[scrape.metric_relabel]]
            action = "bogus"
            regex = "y"
            """);
        Assert.Equal("/etc/agent/agent.toml:12:1: scrape[1].metric_relabel[0].action: \"bogus\" must be \"keep\", \"drop\" or \"labeldrop\"", problems);
    }
}
