namespace Agent.Collectors;

/// <summary>
/// Where the host's /proc, /sys and / are. Settings, never literals, so the agent can run in a
/// container with the host mounted at /host, and tests can point at a captured fixture tree.
/// </summary>
public sealed record HostPaths(string Proc, string Sys, string Root)
{
    public static readonly HostPaths Default = new("/proc", "/sys", "/");

    public string ProcFile(string relative) => Path.Combine(Proc, relative);

    public string SysFile(string relative) => Path.Combine(Sys, relative);
}
