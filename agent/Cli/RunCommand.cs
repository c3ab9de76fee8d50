using System.CommandLine;
using System.Runtime.InteropServices;
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
            using var host = AgentHost.Build(loaded);
            var (version, commit) = VersionCommand.Read();
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("agent");
            using var hangup = OperatingSystem.IsWindows() ? null : IgnoreHangup(logger);
            logger.LogInformation(
                "agent {Version} ({Commit}) starting: host {Host}, environment {Environment}, interval {Interval}, {RemoteWrite} remote_write, {Loki} loki, {Files} logs.files",
                version, commit, loaded.Agent.Hostname, loaded.Agent.Environment, loaded.Agent.Interval,
                loaded.RemoteWrite.Count, loaded.Loki.Count, loaded.Logs.Files.Count);
            try
            {
                await host.RunAsync(ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
            {
                // Start-up failures (port taken, data_dir not writable) are the operator's to fix.
                Console.Error.WriteLine($"agent: cannot start: {Telemetry.ErrorText.Of(e)}");
                return ExitCodes.CheckFailed;
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// SIGHUP's default action ends the process on the spot, nothing flushed: an operator's
    /// `systemctl reload` or a closed terminal must not lose data. Reading the config again is a
    /// later feature; until then the signal is answered with what to do instead.
    /// </summary>
    private static PosixSignalRegistration IgnoreHangup(ILogger logger) =>
        PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            logger.LogWarning("SIGHUP received: the config is read only at start, restart the agent to apply changes (still running with the config it started with)");
        });
}
