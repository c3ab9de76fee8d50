using System.Text.Json;
using Agent.Docker;
using Agent.Docker.Engine;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Docker.Engine;

/// <summary>Inspect answers captured from Engine 28 (API 1.41 asked), read into what the agent keeps.</summary>
public sealed class ContainerInspectTests
{
    private static ContainerRecord Inspect(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Fixtures.Path("docker", name)));
        return ContainerInspect.Parse(document.RootElement);
    }

    [Fact]
    public void A_running_container()
    {
        var c = Inspect("inspect-running.json");
        Assert.Equal("c4de9b054934", c.Id[..12]);
        Assert.Equal("fixture-web", c.Name);
        Assert.Equal("agent-test/busybox:latest", c.Image);
        Assert.Equal("running", c.State);
        Assert.True(c.Running);
        Assert.Equal(28281, c.Pid);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 6, 50, 40, TimeSpan.Zero), c.StartedAt.AddTicks(-(c.StartedAt.Ticks % TimeSpan.TicksPerSecond)));
        Assert.Equal(0, c.FinishedAtNs);
        Assert.False(c.Tty);
        Assert.Equal("shop", c.Labels["com.docker.compose.project"]);
        Assert.Equal("web", c.Labels["com.docker.compose.service"]);
        Assert.Equal("default", c.Network.Mode);
        Assert.Equal(["172.17.0.2"], c.Network.Addresses);
        Assert.Equal(new PublishedPort("127.0.0.1", 18080), c.Network.Published[8080]);
        Assert.Equal([8080, 9100], c.Network.Exposed);
        Assert.Equal("/var/lib/docker/overlay2/cbe53e1fc2bf749f18fe65ba280c48a6d3f051c84d076c65f34ad9ffc2171950/diff", c.UpperDir);
        Assert.Equal("/var/lib/docker/containers/c4de9b05493455b48fea142cab10bb654ab342587c76a2c47c3f62fa0a5a753b/c4de9b05493455b48fea142cab10bb654ab342587c76a2c47c3f62fa0a5a753b-json.log", c.LogPath);
    }

    [Fact]
    public void Without_an_overlay_layer_or_a_json_log_the_paths_are_empty()
    {
        using var document = JsonDocument.Parse("""{"Id":"abc","GraphDriver":{"Name":"vfs","Data":null},"LogPath":""}""");
        var c = ContainerInspect.Parse(document.RootElement);
        Assert.Equal("", c.UpperDir);
        Assert.Equal("", c.LogPath);
    }

    [Fact]
    public void A_killed_container_keeps_its_exit_and_finish()
    {
        var c = Inspect("inspect-killed.json");
        Assert.Equal("exited", c.State);
        Assert.False(c.Running);
        Assert.Equal(0, c.Pid);
        Assert.Equal(137, c.ExitCode);
        Assert.False(c.OomKilled);
        Assert.True(c.HasStarted);
        Assert.True(c.FinishedAtNs > 1_796_000_000_000_000_000L);
        Assert.Empty(c.Network.Addresses);
    }

    [Fact]
    public void Missing_and_null_members_read_as_empty()
    {
        using var document = JsonDocument.Parse("""
            {"Id":"abc","Name":"/x","Image":"sha256:1","State":{"Status":"created","StartedAt":"0001-01-01T00:00:00Z"},
             "Config":{"Labels":null,"ExposedPorts":null},"NetworkSettings":{"Networks":null,"Ports":{"53/udp":null,"80/tcp":[]}}}
            """);
        var c = ContainerInspect.Parse(document.RootElement);
        Assert.Equal("x", c.Name);
        Assert.Equal("sha256:1", c.Image);
        Assert.False(c.HasStarted);
        Assert.Empty(c.Labels);
        Assert.Empty(c.Network.Published);
        Assert.Empty(c.Network.Exposed);
        Assert.Equal("", c.Network.Mode);
    }
}
