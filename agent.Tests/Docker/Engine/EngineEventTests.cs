using Agent.Docker.Engine;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Docker.Engine;

public sealed class EngineEventTests
{
    [Fact]
    public void A_captured_lifecycle_reads_in_order()
    {
        var events = File.ReadAllLines(Fixtures.Path("docker", "events.jsonl")).Select(EngineEvent.Parse).ToList();
        Assert.Equal(["create", "start", "kill", "die"], events.Select(e => e!.Value.Action));
        Assert.All(events, e => Assert.StartsWith("c4de9b054934", e!.Value.Id, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"status":"start","id":"abc","from":"busybox","time":1}""", "abc", "start")]
    [InlineData("""{"Type":"container","Action":"health_status: healthy","Actor":{"ID":"def"}}""", "def", "health_status: healthy")]
    public void Old_and_new_shapes(string line, string id, string action) =>
        Assert.Equal(new EngineEvent(id, action), EngineEvent.Parse(line));

    [Fact]
    public void An_event_naming_no_container_is_skipped() =>
        Assert.Null(EngineEvent.Parse("""{"Type":"network","Action":"connect","Actor":{"Attributes":{}}}"""));
}
