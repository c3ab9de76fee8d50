namespace Agent.Docker;

/// <summary>
/// How a container can be reached, from its inspect: its address on each network (sorted by
/// network name), its published TCP ports, its network mode and the TCP ports its image exposes.
/// </summary>
public sealed record ContainerNetwork(
    string Mode,
    IReadOnlyList<string> Addresses,
    IReadOnlyDictionary<int, PublishedPort> Published,
    IReadOnlyList<int> Exposed)
{
    public static readonly ContainerNetwork None = new("", [], new Dictionary<int, PublishedPort>(), []);
}

/// <param name="HostIp">"" or 0.0.0.0 when bound to every host address.</param>
public sealed record PublishedPort(string HostIp, int HostPort);
