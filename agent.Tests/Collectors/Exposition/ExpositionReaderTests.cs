using System.Text;
using Agent.Collectors.Exposition;
using Agent.Pipeline;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Exposition;

public sealed class ExpositionReaderTests
{
    private static byte[] Fixture(string name) => File.ReadAllBytes(Fixtures.Path("exposition", name));

    private static List<MetricFamily> Families(byte[] body, ExpositionFormat format)
    {
        var families = new List<MetricFamily>();
        Assert.True(ExpositionFamilies.TryParse(body, format, allowTimestamps: true, families, out var error), error);
        return families;
    }

    private static MetricSample Sample(List<MetricFamily> families, string name, params (string, string)[] labels)
    {
        var family = families.Single(f => f.Name == name);
        return family.Samples.Single(s => s.Labels.SequenceEqual(labels.Select(l => new Label(l.Item1, l.Item2))));
    }

    [Fact]
    public void Text_0_0_4_fixture_parses_with_escapes_special_values_and_metadata()
    {
        var families = Families(Fixture("text-0.0.4.prom"), ExpositionFormat.Text);
        var requests = families.Single(f => f.Name == "http_requests_total");
        Assert.Equal(MetricType.Counter, requests.Type);
        Assert.Equal("The total number of HTTP requests.\nSecond line, a \\ backslash.", requests.Help);
        Assert.Equal(1027, Sample(families, "http_requests_total", ("code", "200"), ("method", "post")).Value);
        Assert.Equal(1.458255915e9, Sample(families, "msdos_file_access_time_seconds",
            ("error", "Cannot find file:\n\"FILE.TXT\""), ("path", "C:\\DIR\\FILE.TXT")).Value);
        Assert.Equal(12.47, Sample(families, "metric_without_timestamp_and_labels").Value);
        Assert.True(double.IsNaN(Sample(families, "special_values", ("v", "nan")).Value));
        Assert.Equal(double.PositiveInfinity, Sample(families, "special_values", ("v", "inf")).Value);
        Assert.Equal(double.NegativeInfinity, Sample(families, "special_values", ("v", "neg_inf")).Value);
        Assert.Equal(144320, Sample(families, "http_request_duration_seconds_bucket", ("le", "+Inf")).Value);
        Assert.Equal(1.7560473e+07, Sample(families, "rpc_duration_seconds_sum").Value);
        Assert.Equal(1, Sample(families, "unicode_labels", ("city", "Zürich"), ("emoji", "🙂")).Value);
        Assert.Equal(-0.5e-3, Sample(families, "untyped_thing", ("a", "b")).Value);
        Assert.Equal(1, Sample(families, "windows_line_endings", ("os", "dos")).Value);
        Assert.Equal(20, families.Sum(f => f.Samples.Count));
    }

    [Fact]
    public void Text_timestamps_are_milliseconds()
    {
        var reader = new ExpositionReader("a 1 1395066363000\nb 2\n"u8, ExpositionFormat.Text);
        Assert.True(reader.Read());
        Assert.True(reader.HasTimestamp);
        Assert.Equal(1395066363000, reader.TimestampMs);
        Assert.True(reader.Read());
        Assert.False(reader.HasTimestamp);
        Assert.False(reader.Read());
        Assert.Null(reader.Error);
    }

    [Fact]
    public void OpenMetrics_fixture_keeps_created_series_skips_exemplars_and_reads_second_timestamps()
    {
        var body = Fixture("openmetrics-1.0.txt");
        var families = Families(body, ExpositionFormat.OpenMetrics);
        Assert.Equal(4.20072246e+06, Sample(families, "process_cpu_seconds_total").Value);
        // Prometheus 2 ingests _created samples as series of their own; so do we.
        Assert.Equal(1.6052813e+09, Sample(families, "process_cpu_seconds_created").Value);
        Assert.Equal(1520430000.123, Sample(families, "foo_created").Value);
        Assert.Equal(17, Sample(families, "foo_bucket", ("le", "10")).Value);
        Assert.Equal(11, Sample(families, "foo_bucket", ("le", "1")).Value);
        Assert.Equal(1, Sample(families, "build_info", ("revision", "abc"), ("version", "1.2.3")).Value);
        Assert.Equal(0, Sample(families, "state", ("state", "b")).Value);
        Assert.Equal(8.5, Sample(families, "queue_gsum").Value);
        Assert.True(double.IsNaN(Sample(families, "anything").Value));
        Assert.Equal(MetricType.Gauge, families.Single(f => f.Name == "go_goroutines").Type);

        var reader = new ExpositionReader(body, ExpositionFormat.OpenMetrics);
        while (reader.Read())
        {
            if (reader.Kind == ExpositionEntryKind.Sample && reader.Name.SequenceEqual("events_total"u8)) break;
        }
        Assert.True(reader.HasTimestamp);
        Assert.Equal(1520879607789, reader.TimestampMs);
    }

    [Fact]
    public void Real_node_exporter_output_parses()
    {
        var families = Families(Fixture("node-exporter-text.prom"), ExpositionFormat.Text);
        Assert.Contains(families, f => f.Name == "node_cpu_seconds_total" && f.Type == MetricType.Counter && f.Samples.Count >= 8);
        Assert.Single(families.Single(f => f.Name == "node_uname_info").Samples);
        Assert.True(families.Sum(f => f.Samples.Count) > 100);
    }

    [Theory]
    [InlineData("garbage.bin", ExpositionFormat.Text, "line ")]
    [InlineData("html.prom", ExpositionFormat.Text, "line 1: invalid metric name")]
    [InlineData("duplicate-series.prom", ExpositionFormat.Text, "line 4: duplicate series a{x=\"1\"}")]
    [InlineData("invalid-utf8.prom", ExpositionFormat.Text, "line 3: label x: value is not valid UTF-8")]
    [InlineData("openmetrics-without-eof.txt", ExpositionFormat.OpenMetrics, "line 3: missing # EOF")]
    [InlineData("text-0.0.4.prom", ExpositionFormat.OpenMetrics, "line 1: comment must be")]
    public void Malformed_fixtures_are_refused_with_the_line(string file, ExpositionFormat format, string expected)
    {
        var families = new List<MetricFamily>();
        Assert.False(ExpositionFamilies.TryParse(Fixture(Path.Combine("malformed", file) is var p && File.Exists(Fixtures.Path("exposition", p)) ? p : file),
            format, allowTimestamps: true, families, out var error));
        Assert.StartsWith(expected, error);
        Assert.Empty(families);
    }

    [Theory]
    [InlineData("x 1 1700000000", "timestamps are not allowed")]
    [InlineData("1x 1", "invalid metric name")]
    [InlineData("x{a=\"1\",a=\"2\"} 1", "duplicate label a")]
    [InlineData("x{a=1} 1", "label a: value must be quoted")]
    [InlineData("x{a=\"1} 1", "unterminated label set")]
    [InlineData("x{a=\"1\" b=\"2\"} 1", "label a: expected , or }")]
    [InlineData("x{0a=\"1\"} 1", "invalid label name")]
    [InlineData("x abc", "invalid value \"abc\"")]
    [InlineData("x 1e", "invalid value \"1e\"")]
    [InlineData("x NaNa", "invalid value \"NaNa\"")]
    [InlineData("x", "missing value")]
    [InlineData("x{a=\"1\"}", "missing value")]
    [InlineData("x 1 NaN", "invalid timestamp \"NaN\"")]
    [InlineData("x 1 1.5", "invalid timestamp \"1.5\"")]
    [InlineData("x 1 2 3", "unexpected text after the value")]
    [InlineData("x 1 # {a=\"b\"} 1", "unexpected text after the value")]
    [InlineData("# TYPE x flavour", "unknown metric type \"flavour\"")]
    [InlineData("# HELP", "HELP without a valid metric name")]
    [InlineData("x-y 1", "invalid character after the metric name")]
    public void Text_format_problems_are_named(string line, string problem)
    {
        var families = new List<MetricFamily>();
        Assert.False(ExpositionFamilies.TryParse(Encoding.UTF8.GetBytes("# ok\n" + line + "\n"), ExpositionFormat.Text, families, out var error));
        Assert.StartsWith("line 2: ", error);
        Assert.Contains(problem, error);
    }

    [Theory]
    [InlineData("a 1\n# EOF\nb 2\n", "line 3: content after # EOF")]
    [InlineData("a 1\n\n# EOF\n", "line 2: empty line")]
    [InlineData("# random comment\n# EOF\n", "line 1: comment must be")]
    [InlineData("# TYPE a untyped\n# EOF\n", "line 1: unknown metric type \"untyped\"")]
    [InlineData("a 1 # {x=\"y\"} 1\n", "line 2: missing # EOF")]
    public void OpenMetrics_problems_are_named(string body, string problem)
    {
        var families = new List<MetricFamily>();
        Assert.False(ExpositionFamilies.TryParse(Encoding.UTF8.GetBytes(body), ExpositionFormat.OpenMetrics, allowTimestamps: true, families, out var error));
        Assert.StartsWith(problem, error);
    }

    [Theory]
    [InlineData("1", 1.0)]
    [InlineData("-1.5e3", -1500.0)]
    [InlineData("+.5", 0.5)]
    [InlineData("1E-2", 0.01)]
    [InlineData("+Inf", double.PositiveInfinity)]
    [InlineData("inf", double.PositiveInfinity)]
    [InlineData("-Infinity", double.NegativeInfinity)]
    [InlineData("nan", double.NaN)]
    public void Values_parse_as_Go_does(string token, double expected)
    {
        Assert.True(ExpositionReader.TryParseValue(Encoding.ASCII.GetBytes(token), out var value));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void Huge_label_values_are_refused_over_the_limit_and_the_error_stays_short()
    {
        var huge = new string('v', 1 << 20);
        var body = Encoding.UTF8.GetBytes($"a{{big=\"{huge}\"}} 1\n");
        var reader = new ExpositionReader(body, ExpositionFormat.Text);
        Assert.True(reader.Read());
        var labels = new List<Label>();
        Assert.False(ExpositionReader.TryReadLabels(reader.LabelText, labels, 2048, new StringPool(), out var error));
        Assert.Equal("label big: value of 1048576 bytes is over the limit of 2048", error);
        Assert.True(ExpositionReader.TryReadLabels(reader.LabelText, labels, 0, new StringPool(), out _));
        Assert.Equal(1 << 20, labels[0].Value.Length);

        var bad = new ExpositionReader(Encoding.UTF8.GetBytes($"a{{big=\"{huge}\"}} x\n"), ExpositionFormat.Text);
        Assert.False(bad.Read());
        Assert.True(bad.Error!.Length < 200, bad.Error);
    }

    [Fact]
    public void Series_is_the_identity_as_written()
    {
        var reader = new ExpositionReader("a{x=\"1\"} 1\na{x=\"1\"}\t2 3\na 4\n"u8, ExpositionFormat.Text);
        Assert.True(reader.Read());
        var first = reader.Series.ToArray();
        Assert.True(reader.Read());
        Assert.True(reader.Series.SequenceEqual(first));
        Assert.Equal("a{x=\"1\"}", Encoding.UTF8.GetString(first));
        Assert.True(reader.Read());
        Assert.Equal("a", Encoding.UTF8.GetString(reader.Series));
        Assert.True(reader.LabelText.IsEmpty);
    }
}
