namespace Agent.Docker;

/// <summary>
/// What the engine said about one container at its last inspect: identity for metrics and
/// logs, and the lifecycle facts (state, exit code, OOM kill, restarts) kept until it is removed.
/// </summary>
/// <param name="Name">Without Docker's leading slash.</param>
/// <param name="State">Docker's status: created, running, paused, restarting, removing, exited or dead.</param>
/// <param name="Tty">A TTY container's log stream is raw, not multiplexed into stdout/stderr.</param>
public sealed record ContainerRecord(
    string Id,
    string Name,
    string Image,
    string State,
    int Pid,
    DateTimeOffset StartedAt,
    long ExitCode,
    bool OomKilled,
    long RestartCount,
    bool Tty,
    IReadOnlyDictionary<string, string> Labels)
{
    public bool Running => State is "running" or "paused";

    /// <summary>Ever started (a created container has no log yet).</summary>
    public bool HasStarted => StartedAt > DateTimeOffset.MinValue;

    /// <summary>When its last run ended (Unix ns), 0 while it never ended.</summary>
    public long FinishedAtNs { get; init; }

    /// <summary>The writable layer on the host (GraphDriver.Data.UpperDir, overlay2); "" for other storage drivers.</summary>
    public string UpperDir { get; init; } = "";

    /// <summary>The json-file log on the host (LogPath); "" for other log drivers.</summary>
    public string LogPath { get; init; } = "";

    /// <summary>Addresses and ports, for scraping containers that ask for it (prometheus.io/scrape).</summary>
    public ContainerNetwork Network { get; init; } = ContainerNetwork.None;
}
