using System.Buffers;
using System.Text;
using Agent.Pipeline;
using Agent.Serving;
using Xunit;

namespace Agent.Tests.Serving;

public sealed class TextFormatWriterTests
{
    private static string Render(IReadOnlyList<MetricFamily> families, params Label[] extra)
    {
        var buffer = new ArrayBufferWriter<byte>();
        TextFormatWriter.Write(buffer, families, extra);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Writes_help_type_and_merged_sorted_labels()
    {
        var family = new MetricFamily("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", MetricType.Counter);
        family.Add([new("cpu", "0"), new("mode", "idle")], 12345.67);
        var text = Render([family], new Label("environment", "prod"), new Label("host", "web-1"));
        Assert.Equal(
            "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n" +
            "# TYPE node_cpu_seconds_total counter\n" +
            "node_cpu_seconds_total{cpu=\"0\",environment=\"prod\",host=\"web-1\",mode=\"idle\"} 12345.67\n",
            text);
    }

    [Fact]
    public void Escapes_help_and_label_values_and_writes_special_floats()
    {
        var family = new MetricFamily("x", "a \\ b\nc \"q\"", MetricType.Gauge);
        family.Add([new("path", "C:\\dir\n\"quoted\"")], double.NaN);
        family.Add([new("v", "inf")], double.PositiveInfinity);
        family.Add([new("v", "-inf")], double.NegativeInfinity);
        family.Add([], 1e21);
        var text = Render([family]);
        Assert.Contains("# HELP x a \\\\ b\\nc \"q\"\n", text);
        Assert.Contains("x{path=\"C:\\\\dir\\n\\\"quoted\\\"\"} NaN\n", text);
        Assert.Contains("x{v=\"inf\"} +Inf\n", text);
        Assert.Contains("x{v=\"-inf\"} -Inf\n", text);
        Assert.Contains("x 1E+21\n", text);
    }

    [Fact]
    public void Own_label_wins_over_extra_and_empty_values_are_omitted()
    {
        var family = new MetricFamily("up", "help", MetricType.Untyped);
        family.Add([new("empty", ""), new("host", "container-a")], 1);
        var text = Render([family], new Label("host", "node"));
        Assert.Contains("up{host=\"container-a\"} 1\n", text);
        Assert.Contains("# TYPE up untyped", text);
    }

    [Fact]
    public void Families_without_samples_are_skipped()
    {
        Assert.Equal("", Render([new MetricFamily("none", "h", MetricType.Gauge)]));
    }
}
