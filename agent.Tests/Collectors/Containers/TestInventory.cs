using Agent.Collectors.Containers;

namespace Agent.Tests.Collectors.Containers;

/// <summary>The Docker side's stand-in: whatever containers the test says are running.</summary>
internal sealed class TestInventory(params ContainerInfo[] running) : IContainerInventory
{
    public List<ContainerInfo> Containers { get; } = [.. running];

    public IReadOnlyList<ContainerInfo> Running() => Containers;
}

/// <summary>A clock standing still, for container_last_seen.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
