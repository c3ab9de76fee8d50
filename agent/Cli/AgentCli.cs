using System.CommandLine;

namespace Agent.Cli;

/// <summary>The command tree. Parse errors exit 2 (System.CommandLine's default is 1, which `check` owns).</summary>
public static class AgentCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("agent: one small process for host, process, container metrics and logs")
        {
            RunCommand.Create(),
            CheckCommand.Create(),
            VersionCommand.Create(),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && !parsed.Tokens.Any(t => t.Value is "--help" or "-h" or "-?"))
        {
            foreach (var error in parsed.Errors) Console.Error.WriteLine($"agent: {error.Message}");
            Console.Error.WriteLine("Run 'agent --help' for usage.");
            return ExitCodes.BadInput;
        }
        // The generic host handles SIGTERM/SIGINT itself and flushes queues before exiting;
        // System.CommandLine must not force-exit the process underneath it.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    internal static Option<FileInfo> ConfigOption() => new("--config", "-c")
    {
        Description = "Path to agent.toml",
        Required = true,
    };
}
