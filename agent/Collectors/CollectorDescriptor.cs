namespace Agent.Collectors;

/// <summary>
/// One row of the explicit collector table: a name, whether it runs without being asked for,
/// and a factory that returns null when the collector cannot work on this OS or host.
/// </summary>
public sealed record CollectorDescriptor(string Name, bool EnabledByDefault, Func<HostPaths, Config.HostSection, ICollector?> Create);
