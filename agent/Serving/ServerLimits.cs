namespace Agent.Serving;

/// <summary>What one client may cost the /metrics server.</summary>
/// <param name="MaxConnections">Far above what scrapers open; beyond it a connection gets 503 at once.</param>
/// <param name="ReadDeadline">For the request to arrive whole.</param>
/// <param name="WriteDeadline">Generous for a slow link and a large body, yet frees a connection whose client stopped reading.</param>
public sealed record ServerLimits(int MaxConnections, TimeSpan ReadDeadline, TimeSpan WriteDeadline)
{
    public static readonly ServerLimits Default = new(256, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
}
