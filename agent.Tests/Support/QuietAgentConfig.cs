namespace Agent.Tests.Support;

/// <summary>
/// An agent.toml with every collector and log source off and a 1 s interval: only the agent's
/// own agent_* series flow, which is all a transport test needs and costs the machine nothing.
/// </summary>
public static class QuietAgentConfig
{
    /// <param name="endpoints">TOML appended: [[remote_write]] / [[loki]] / [[logs.files]] tables.</param>
    public static string Write(string dir, string hostname, string endpoints, string listen = "", string http = "")
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "agent.toml");
        File.WriteAllText(path, $"""
            [agent]
            hostname = "{hostname}"
            interval = "1s"
            data_dir = "{dir}/data"

            [http]
            listen = "{listen}"
            {http}

            [host]
            enabled = false

            [process]
            enabled = false

            [containers]
            enabled = false

            [logs.docker]
            enabled = false

            [scrape_docker]
            enabled = false

            {endpoints}
            """);
        return path;
    }
}
