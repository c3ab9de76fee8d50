namespace Agent.Collectors.Containers;

/// <summary>
/// The running containers the container collector reports, kept current by the Docker
/// list + events stream so collection never calls the Docker API.
/// </summary>
public interface IContainerInventory
{
    /// <summary>A snapshot of the containers running now; safe to call from the collection thread.</summary>
    IReadOnlyList<ContainerInfo> Running();
}

/// <param name="Id">Full 64-hex container id.</param>
/// <param name="Name">Container name without the leading slash.</param>
/// <param name="Pid">PID of the container's init process on the host (0 if unknown).</param>
public sealed record ContainerInfo(string Id, string Name, string Image, int Pid, DateTimeOffset StartedAt, IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>The writable layer on the host (overlay2's upper dir); "" for other storage drivers.</summary>
    public string UpperDir { get; init; } = "";

    /// <summary>The json-file log on the host; "" for other log drivers.</summary>
    public string LogPath { get; init; } = "";
}
