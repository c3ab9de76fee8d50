using Agent.Config;

namespace Agent.Pipeline;

/// <summary>
/// The labels every series and stream carries. Pushed data gets host, environment, instance
/// (= host) and [labels]; the pull endpoint omits instance because the scraper sets its own.
/// </summary>
public static class ExternalLabels
{
    public static Label[] ForPush(AgentConfig config) => Build(config, includeInstance: true);

    public static Label[] ForPull(AgentConfig config) => Build(config, includeInstance: false);

    /// <summary>For log streams: host, environment and [labels]; Loki has no instance convention.</summary>
    public static Label[] ForLogs(AgentConfig config) => Build(config, includeInstance: false);

    private static Label[] Build(AgentConfig config, bool includeInstance)
    {
        var labels = new List<Label>(config.Labels.Count + 3);
        foreach (var (name, value) in config.Labels) labels.Add(new Label(name, value));
        labels.Add(new Label("host", config.Agent.Hostname));
        labels.Add(new Label("environment", config.Agent.Environment));
        if (includeInstance) labels.Add(new Label("instance", config.Agent.Hostname));
        return Labels.Sorted(labels);
    }
}
