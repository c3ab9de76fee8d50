using System.CommandLine;
using Agent.Config;
using Agent.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agent.Cli;

/// <summary>`agent run --config FILE`: the service itself, until SIGTERM.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var config = AgentCli.ConfigOption();
        var command = new Command("run", "Run the agent: collect, tail and push until stopped") { config };
        command.SetAction(async (parsed, ct) =>
        {
            var control = new ServiceControl(parsed.GetValue(config)!.FullName);
            using var signals = control.ListenForSignals();
            AgentConfig loaded;
            try
            {
                loaded = ConfigLoader.Load(parsed.GetValue(config)!.FullName);
            }
            catch (ConfigException e)
            {
                foreach (var problem in e.Problems) Console.Error.WriteLine(problem);
                return ExitCodes.BadInput;
            }
            // Positions and buffers live there: found now, it is one sentence and exit 2, not a
            // stack trace from whichever service first touches it.
            if (Checks.DataDirProblem(loaded.Agent.DataDir) is { } dataDir)
            {
                Console.Error.WriteLine($"agent: {dataDir}");
                return ExitCodes.BadInput;
            }
            var (version, commit) = VersionCommand.Read();
            var current = loaded;
            AgentConfig? previous = null;
            var first = true;
            while (!control.Terminating)
            {
                using var host = AgentHost.Build(current, control);
                var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("agent");
                control.Attach(host.Services.GetRequiredService<IHostApplicationLifetime>(), logger);
                if (first)
                {
                    first = false;
                    logger.LogInformation(
                        "agent {Version} ({Commit}) starting: host {Host}, environment {Environment}, interval {Interval}, {RemoteWrite} remote_write, {Loki} loki, {Files} logs.files",
                        version, commit, current.Agent.Hostname, current.Agent.Environment, current.Agent.Interval,
                        current.RemoteWrite.Count, current.Loki.Count, current.Logs.Files.Count);
                }
                try
                {
                    await host.RunAsync(ct);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
                {
                    if (previous is not null && !ct.IsCancellationRequested)
                    {
                        // The reloaded config could not start (its port is taken): the one before runs again.
                        control.ReloadFailedToStart(e);
                        (current, previous) = (previous, null);
                        continue;
                    }
                    // Start-up failures (port taken, data_dir not writable) are the operator's to fix.
                    Console.Error.WriteLine($"agent: cannot start: {Telemetry.ErrorText.Of(e)}");
                    return ExitCodes.CheckFailed;
                }
                if (ct.IsCancellationRequested || control.TakePending() is not { } next) return ExitCodes.Ok;
                // Positions and disk buffers were saved as the old pipeline stopped; the new one resumes from them.
                previous = current;
                current = next;
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
