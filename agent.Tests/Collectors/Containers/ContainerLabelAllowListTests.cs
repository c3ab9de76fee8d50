using Agent.Collectors.Containers;
using Agent.Pipeline;
using Xunit;

namespace Agent.Tests.Collectors.Containers;

public sealed class ContainerLabelAllowListTests
{
    private static ContainerInfo Container(Dictionary<string, string> labels, string image = "img") =>
        new(new string('a', 64), "c", image, 1, DateTimeOffset.UnixEpoch, labels);

    [Theory]
    [InlineData("com.docker.compose.project", "container_label_com_docker_compose_project")]
    [InlineData("maintainer", "container_label_maintainer")]
    [InlineData("org.label-schema.build-date", "container_label_org_label_schema_build_date")]
    [InlineData("a/b:c d", "container_label_a_b_c_d")]
    [InlineData("Ünïcode_9", "container_label__n_code_9")]
    public void Sanitisation_is_cadvisors(string dockerLabel, string expected) =>
        Assert.Equal(expected, ContainerLabelAllowList.SeriesLabelName(dockerLabel));

    [Fact]
    public void Only_allowed_labels_are_copied_and_never_all_of_them()
    {
        var allow = new ContainerLabelAllowList(ContainerLabelAllowList.Default);
        var labels = allow.BaseLabels("/docker/x", Container(new()
        {
            ["com.docker.compose.project"] = "shop",
            ["com.docker.compose.config-hash"] = "0123",
            ["SECRET"] = "hunter2",
        }));
        Assert.Equal(
            [new("container_label_com_docker_compose_project", "shop"), new("id", "/docker/x"), new("image", "img"), new("name", "c")],
            labels);
    }

    [Fact]
    public void Missing_or_empty_values_add_no_label()
    {
        var allow = new ContainerLabelAllowList(["app", "tier", "app"]);
        var labels = allow.BaseLabels("/docker/x", Container(new() { ["tier"] = "" }, image: ""));
        Assert.Equal([new Label("id", "/docker/x"), new Label("name", "c")], labels);
    }

    [Fact]
    public void An_empty_allow_list_copies_no_docker_label()
    {
        var labels = new ContainerLabelAllowList([]).BaseLabels("/docker/x", Container(new() { ["com.docker.compose.project"] = "shop" }));
        Assert.DoesNotContain(labels, l => l.Name.StartsWith("container_label_", StringComparison.Ordinal));
    }
}
