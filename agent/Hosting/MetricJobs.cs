using Agent.Collectors;
using Agent.Collectors.Host;
using Agent.Collectors.Process;
using Agent.Config;
using Microsoft.Extensions.Logging;

namespace Agent.Hosting;

/// <summary>
/// Which collector runners exist for a config: one per job (node, process, later cadvisor),
/// built from the explicit collector tables. A collector that cannot run on this OS or host
/// is left out here and shown as unavailable by `agent check`.
/// </summary>
public static class MetricJobs
{
    public static IReadOnlyList<CollectorRunner> Create(AgentConfig config, ILoggerFactory loggers)
    {
        var runners = new List<CollectorRunner>();
        if (config.Host.Enabled)
        {
            var paths = new HostPaths(config.Host.ProcPath, config.Host.SysPath, config.Host.RootPath);
            var collectors = new List<ICollector>();
            foreach (var descriptor in HostCollectors.Selected(config.Host))
            {
                if (descriptor.Create(paths, config.Host) is { } collector) collectors.Add(collector);
            }
            runners.Add(new CollectorRunner("node", collectors, loggers.CreateLogger("collector.host")));
        }
        if (config.Process.Enabled && OperatingSystem.IsLinux() && Environment.Is64BitProcess)
        {
            var paths = new HostPaths(config.Host.ProcPath, config.Host.SysPath, config.Host.RootPath);
            runners.Add(new CollectorRunner("process", [new ProcessCollector(paths, config.Process)], loggers.CreateLogger("collector.process")));
        }
        return runners;
    }
}
