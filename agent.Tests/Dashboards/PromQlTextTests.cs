using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Dashboards;

/// <summary>The dashboard test's PromQL edits, on literal expressions of the shapes the checked-in dashboards hold.</summary>
public sealed class PromQlTextTests
{
    [Theory]
    [InlineData("node_load1", "node_load1{job=\"x\"}")]
    [InlineData("machine_cpu_cores", "machine_cpu_cores{job=\"x\"}")]
    [InlineData("sum(container_fs_usage_bytes)", "sum(container_fs_usage_bytes{job=\"x\"})")]
    [InlineData("sum(rate(a_total{g=~\".+\"}[10m] )) without (mode)", "sum(rate(a_total{job=\"x\",g=~\".+\"}[10m] )) without (mode)")]
    [InlineData("sum by (name)(m{image!=\"\",l=\"\"})", "sum by (name)(m{job=\"x\",image!=\"\",l=\"\"})")]
    [InlineData("sum by (name) (rate(m[1m])) / scalar(count(n{mode=\"user\"})) * 100", "sum by (name) (rate(m{job=\"x\"}[1m])) / scalar(count(n{job=\"x\",mode=\"user\"})) * 100")]
    [InlineData("a{c=\"1\"} * on(chip) group_left(chip_name) b{c=\"1\"}", "a{job=\"x\",c=\"1\"} * on(chip) group_left(chip_name) b{job=\"x\",c=\"1\"}")]
    [InlineData("sum by(instance) (irate(a[4s])) / on(instance) group_left sum by (instance)((irate(a[4s])))", "sum by(instance) (irate(a{job=\"x\"}[4s])) / on(instance) group_left sum by (instance)((irate(a{job=\"x\"}[4s])))")]
    [InlineData("scalar(count(m{image!=\"\"}) > 0)", "scalar(count(m{job=\"x\",image!=\"\"}) > 0)")]
    [InlineData("(a - b) / a  * 100", "(a{job=\"x\"} - b{job=\"x\"}) / a{job=\"x\"}  * 100")]
    [InlineData("m{l=\"a}b\"} offset 5m", "m{job=\"x\",l=\"a}b\"} offset 5m")]
    [InlineData("{__name__=\"up\"} and 1e3 < m", "{job=\"x\",__name__=\"up\"} and 1e3 < m{job=\"x\"}")]
    [InlineData("m{}", "m{job=\"x\"}")]
    public void AddMatcher_scopes_every_selector(string expr, string expected) =>
        Assert.Equal(expected, PromQlText.AddMatcher(expr, "job=\"x\""));

    [Theory]
    [InlineData("sum by (name) (rate(c_total{image!=\"\"}[1m])) / scalar(count(n{mode=\"user\"}))", "c_total n")]
    [InlineData("a * on(chip) group_left(chip_name) b", "a b")]
    [InlineData("sum(x) without (mode)", "x")]
    [InlineData("time() - 1", "")]
    public void MetricNames_are_the_selected_names(string expr, string expected) =>
        Assert.Equal(expected, string.Join(" ", PromQlText.MetricNames(expr)));

    [Fact]
    public void Substitute_resolves_longest_names_first_and_both_forms()
    {
        var values = new Dictionary<string, string> { ["__interval"] = "1s", ["__rate_interval"] = "4s", ["interval"] = "10m", ["node"] = "h1" };
        Assert.Equal("rate(a{instance=\"h1\"}[4s]) + rate(b[1s]) + rate(c[10m]) + d{i=\"h1\"}",
            PromQlText.Substitute("rate(a{instance=\"$node\"}[$__rate_interval]) + rate(b[$__interval]) + rate(c[$interval]) + d{i=\"${node}\"}", values));
    }

    [Fact]
    public void Substitute_fails_on_an_unresolved_variable()
    {
        var error = Assert.Throws<ArgumentException>(() => PromQlText.Substitute("m{job=\"$job\"}", new Dictionary<string, string>()));
        Assert.Contains("unresolved variable", error.Message);
    }

    [Theory]
    [InlineData("m{l=\"x}")]
    [InlineData("rate(m[5m)")]
    public void Unclosed_text_is_an_error(string expr) =>
        Assert.Throws<ArgumentException>(() => PromQlText.AddMatcher(expr, "job=\"x\""));
}
