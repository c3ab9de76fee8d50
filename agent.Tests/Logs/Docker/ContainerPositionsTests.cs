using Agent.Logs;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Agent.Tests.Logs.Docker;

/// <summary>Container positions in positions.json: version 2 round-trip, version 1 still read.</summary>
public sealed class ContainerPositionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-cpos-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Containers_and_files_round_trip()
    {
        await using (var store = new PositionsStore(_dir, NullLogger.Instance))
        {
            Assert.True(store.FirstStart);
            store.Set(new FileIdentity(1, 2), "/var/log/a.log", "AB", 42);
            store.AdvanceContainer("c1", "web", 1_000);
            store.AdvanceContainer("c2", "db", 2_000);
        }
        var json = await File.ReadAllTextAsync(Path.Combine(_dir, "positions.json"), TestContext.Current.CancellationToken);
        Assert.Contains("\"version\": 2", json);
        Assert.Contains("\"timestamp_ns\": 1000", json);
        await using var reread = new PositionsStore(_dir, NullLogger.Instance);
        Assert.False(reread.FirstStart);
        Assert.Equal(1_000, reread.FindContainer("c1"));
        Assert.Equal(2_000, reread.FindContainer("c2"));
        Assert.Null(reread.FindContainer("c3"));
        Assert.Equal(42, reread.Find(new FileIdentity(1, 2), "/var/log/a.log")!.Offset);
    }

    [Fact]
    public async Task A_container_position_only_moves_forward()
    {
        await using var store = new PositionsStore(_dir, NullLogger.Instance);
        store.AdvanceContainer("c1", "web", 5_000);
        store.AdvanceContainer("c1", "web", 3_000);
        Assert.Equal(5_000, store.FindContainer("c1"));
        store.AdvanceContainer("c1", "web", 7_000);
        Assert.Equal(7_000, store.FindContainer("c1"));
    }

    [Fact]
    public async Task Removed_containers_are_forgotten()
    {
        await using (var store = new PositionsStore(_dir, NullLogger.Instance))
        {
            store.AdvanceContainer("keep", "a", 1);
            store.AdvanceContainer("gone", "b", 2);
            store.RetainContainers(id => id == "keep");
        }
        await using var reread = new PositionsStore(_dir, NullLogger.Instance);
        Assert.Equal(1, reread.FindContainer("keep"));
        Assert.Null(reread.FindContainer("gone"));
    }

    [Fact]
    public async Task A_version_1_file_without_containers_is_read()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "positions.json"), """
            {
              "version": 1,
              "files": [
                { "path": "/var/log/a.log", "device": 1, "inode": 2, "fingerprint": "AB", "offset": 42, "updated": "2026-01-01T00:00:00+00:00" }
              ]
            }
            """, TestContext.Current.CancellationToken);
        await using var store = new PositionsStore(_dir, NullLogger.Instance);
        Assert.False(store.FirstStart);
        Assert.Equal(42, store.Find(new FileIdentity(1, 2), "/var/log/a.log")!.Offset);
        Assert.Null(store.FindContainer("anything"));
        Assert.Empty(Directory.GetFiles(_dir, "positions.json.corrupt-*"));
    }
}
