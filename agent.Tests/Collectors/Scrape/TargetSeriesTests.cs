using System.Text;
using Agent.Collectors.Exposition;
using Agent.Collectors.Scrape;
using Agent.Pipeline;
using Xunit;
using static Agent.Tests.Collectors.Scrape.ScrapeTestTargets;

namespace Agent.Tests.Collectors.Scrape;

public sealed class TargetSeriesTests
{
    private static ScrapeResult Run(TargetSeries series, string body, long at = 1000, ExpositionFormat format = ExpositionFormat.Text) =>
        series.Process(Encoding.UTF8.GetBytes(body), format, at);

    private static List<string> Lines(ScrapeResult result) =>
        [.. result.Families.SelectMany(f => f.Samples.Select(s =>
            $"{f.Name}{{{string.Join(",", s.Labels.Select(l => $"{l.Name}={l.Value}"))}}} {(StaleMarkers.IsStale(s.Value) ? "stale" : s.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))}"))];

    [Fact]
    public void Target_labels_win_and_clashing_scraped_labels_become_exported()
    {
        var job = Job();
        job.Labels["team"] = "ops";
        var series = new TargetSeries(Target(job));
        var result = Run(series, "a{instance=\"10.0.0.1:80\",job=\"theirs\",team=\"dev\",x=\"1\",empty=\"\"} 5\n");
        Assert.Null(result.Error);
        Assert.Equal(["a{exported_instance=10.0.0.1:80,exported_job=theirs,exported_team=dev,instance=127.0.0.1:9100,job=app,team=ops,x=1} 5"], Lines(result));
    }

    [Fact]
    public void Honor_labels_keeps_the_scraped_labels_and_fills_the_rest()
    {
        var job = Job();
        job.HonorLabels = true;
        job.Labels["team"] = "ops";
        var series = new TargetSeries(Target(job));
        var result = Run(series, "a{instance=\"10.0.0.1:80\",job=\"theirs\"} 5\nb 6\n");
        Assert.Equal(["a{instance=10.0.0.1:80,job=theirs,team=ops} 5", "b{instance=127.0.0.1:9100,job=app,team=ops} 6"], Lines(result));
    }

    [Fact]
    public void Metric_relabel_keeps_drops_and_removes_labels_and_the_counts_say_so()
    {
        var job = Job();
        job.MetricRelabel =
        [
            Rule("drop", "go_.*"),
            Rule("keep", "node_.*|up_like"),
            Rule("drop", "node_cpu;idle", "__name__", "mode"),
            Rule("labeldrop", "noise|junk"),
        ];
        var series = new TargetSeries(Target(job));
        var body = "go_goroutines 7\nnode_cpu{mode=\"idle\"} 1\nnode_cpu{mode=\"user\",noise=\"x\"} 2\nother 3\nup_like{junk=\"y\"} 4\n";
        var result = Run(series, body);
        Assert.Equal(["node_cpu{instance=127.0.0.1:9100,job=app,mode=user} 2", "up_like{instance=127.0.0.1:9100,job=app} 4"], Lines(result));
        Assert.Equal((5, 2, 2), (result.Scraped, result.PostRelabel, result.SeriesAdded));
        var again = Run(series, body, 2000);
        Assert.Equal((5, 2, 0), (again.Scraped, again.PostRelabel, again.SeriesAdded));
    }

    [Fact]
    public void Series_missing_from_the_next_scrape_get_one_stale_marker()
    {
        var series = new TargetSeries(Target(Job()));
        Run(series, "a 1\nb{x=\"1\"} 2\nb{x=\"2\"} 3\n");
        var second = Run(series, "a 1\nb{x=\"2\"} 3\n", 2000);
        Assert.Equal(["a{instance=127.0.0.1:9100,job=app} 1", "b{instance=127.0.0.1:9100,job=app,x=2} 3", "b{instance=127.0.0.1:9100,job=app,x=1} stale"], Lines(second));
        var third = Run(series, "a 1\nb{x=\"2\"} 3\n", 3000);
        Assert.Equal(2, Lines(third).Count);
        Assert.Equal(2, series.Count);
    }

    [Fact]
    public void A_failed_scrape_ends_every_series_once_and_the_next_success_starts_over()
    {
        var series = new TargetSeries(Target(Job()));
        Run(series, "a 1\nb 2\n");
        var failed = series.Fail("connection refused");
        Assert.Equal(["a{instance=127.0.0.1:9100,job=app} stale", "b{instance=127.0.0.1:9100,job=app} stale"], Lines(failed));
        Assert.Empty(Lines(series.Fail("connection refused")));
        var back = Run(series, "a 1\n", 3000);
        Assert.Equal(["a{instance=127.0.0.1:9100,job=app} 1"], Lines(back));
        Assert.Equal(["a{instance=127.0.0.1:9100,job=app} stale"], Lines(new ScrapeResult(series.End(), [], 0, 0, 0, null)));
    }

    [Theory]
    [InlineData("a 1\nb 2\na 3\n", "line 3: duplicate series a")]
    [InlineData("a 1\nb{x=\"\xff\"} 2\n", "line 2: label x: value is not valid UTF-8")]
    [InlineData("a 1\nb zero\n", "line 2: invalid value \"zero\"")]
    [InlineData("a 1\n\0\0\0\n", "line 2: invalid metric name")]
    public void A_malformed_body_fails_whole_and_ends_the_previous_series(string body, string error)
    {
        var series = new TargetSeries(Target(Job()));
        Run(series, "a 1\n");
        var result = series.Process(Encoding.Latin1.GetBytes(body), ExpositionFormat.Text, 2000);
        Assert.StartsWith(error, result.Error);
        Assert.Equal(["a{instance=127.0.0.1:9100,job=app} stale"], Lines(result));
    }

    [Fact]
    public void Sample_limit_and_label_value_length_limit_fail_the_scrape()
    {
        var job = Job();
        job.SampleLimit = 2;
        job.LabelValueLengthLimit = 10;
        var series = new TargetSeries(Target(job));
        Assert.Null(Run(series, "a 1\nb 2\n").Error);
        Assert.Equal("more than sample_limit 2 samples", Run(series, "a 1\nb 2\nc 3\n").Error);
        Assert.Equal("line 1: label v: value of 11 bytes is over the limit of 10", Run(series, "d{v=\"12345678901\"} 1\n").Error);
    }

    [Fact]
    public void NaN_and_infinities_are_values_not_errors()
    {
        var series = new TargetSeries(Target(Job()));
        var result = Run(series, "a NaN\nb +Inf\nc -Inf\n");
        Assert.Null(result.Error);
        Assert.True(double.IsNaN(result.Families[0].Samples[0].Value));
        Assert.False(StaleMarkers.IsStale(result.Families[0].Samples[0].Value));
        Assert.Equal(double.PositiveInfinity, result.Families[1].Samples[0].Value);
    }

    [Fact]
    public void Exposed_timestamps_are_kept_in_their_own_batches_without_stale_markers()
    {
        var series = new TargetSeries(Target(Job()));
        var first = Run(series, "a 1 1500\nb 2 1500\nc 3 1700\nd 4\n", 2000);
        Assert.Equal([1500L, 1700L], first.Timed.Select(b => b.TimestampMs).Order());
        Assert.Equal(2, first.Timed.Single(b => b.TimestampMs == 1500).SampleCount);
        Assert.Equal(["d{instance=127.0.0.1:9100,job=app} 4"], Lines(first));
        // A timestamp that did not move (or went back) is not sent again: the receiver would refuse the request.
        var repeated = Run(series, "a 1 1500\nb 2 1400\nc 3 1800\nd 4\n", 3000);
        Assert.Equal([1800L], repeated.Timed.Select(b => b.TimestampMs));
        Assert.Equal(4, repeated.PostRelabel);
        Assert.Equal(["d{instance=127.0.0.1:9100,job=app} 4"], Lines(Run(series, "d 4\n", 4000)));

        var ignoring = Job();
        ignoring.HonorTimestamps = false;
        var plain = Run(new TargetSeries(Target(ignoring)), "a 1 1500\n", 2000);
        Assert.Empty(plain.Timed);
        Assert.Single(Lines(plain));
    }

    [Fact]
    public void OpenMetrics_bodies_keep_created_series()
    {
        var series = new TargetSeries(Target(Job()));
        var result = Run(series, "# TYPE c counter\nc_total 3\nc_created 1700000000.5\n# EOF\n", format: ExpositionFormat.OpenMetrics);
        Assert.Equal(["c_total{instance=127.0.0.1:9100,job=app} 3", "c_created{instance=127.0.0.1:9100,job=app} 1700000000.5"], Lines(result));
    }
}
