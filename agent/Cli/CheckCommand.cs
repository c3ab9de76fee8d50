using System.CommandLine;
using System.Diagnostics;
using Agent.Config;
using Agent.Hosting;
using Agent.Pipeline;
using Agent.Serving;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agent.Cli;

/// <summary>
/// `agent check --config FILE [--metrics]`: is this node set up right? Config, data_dir,
/// collectors, scrape targets, log paths, endpoints — one line each, exit 1 if any failed. With --metrics the
/// report goes to stderr and one collection cycle is printed on stdout in text format.
/// </summary>
public static class CheckCommand
{
    public static Command Create()
    {
        var config = AgentCli.ConfigOption();
        var metrics = new Option<bool>("--metrics")
        {
            Description = "Run one collection cycle and print it in Prometheus text format on stdout",
        };
        var command = new Command("check", "Check config, permissions and endpoints; exit 1 on any failure") { config, metrics };
        command.SetAction(async (parsed, ct) =>
        {
            var printMetrics = parsed.GetValue(metrics);
            var report = new CheckReport(printMetrics ? Console.Error : Console.Out);
            var path = parsed.GetValue(config)!.FullName;
            AgentConfig loaded;
            try
            {
                loaded = ConfigLoader.Load(path);
            }
            catch (ConfigException e)
            {
                foreach (var problem in e.Problems) report.Fail("config", problem);
                return ExitCodes.BadInput;
            }
            report.Pass("config", $"{path} (host \"{loaded.Agent.Hostname}\", environment \"{loaded.Agent.Environment}\", interval {loaded.Agent.Interval})");
            Checks.DataDir(loaded, report);
            Checks.Buffers(loaded, report);
            await using var docker = loaded.FollowsDocker
                ? new Docker.ContainerTracker(loaded.Containers.DockerHostValue, new Telemetry.SelfMetrics(), NullLogger.Instance)
                : null;
            if (docker is not null) await Checks.DockerAsync(loaded, docker, report, ct);
            var runners = MetricJobs.Create(loaded, NullLoggerFactory.Instance, docker);
            Checks.Collectors(loaded, runners, report);
            await ScrapeChecks.TargetsAsync(loaded, docker, report, ct);
            Checks.LogFiles(loaded, report, ct);
            Checks.WebConfig(loaded, report);
            Checks.Transport(loaded, report);
            JournalChecks.Journal(loaded, report);
            await Checks.EndpointsAsync(loaded, report, ct);
            if (printMetrics)
            {
                var body = new System.Buffers.ArrayBufferWriter<byte>(64 * 1024);
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var labels = ExternalLabels.ForPull(loaded);
                foreach (var runner in runners) TextFormatWriter.Write(body, runner.Collect(now).Families, labels);
                using var stdout = Console.OpenStandardOutput();
                stdout.Write(body.WrittenSpan);
            }
            return report.Failures == 0 ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }
}
