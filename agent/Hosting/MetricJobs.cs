using Agent.Collectors;
using Agent.Collectors.Containers;
using Agent.Collectors.Host;
using Agent.Collectors.Process;
using Agent.Config;
using Agent.Docker;
using Microsoft.Extensions.Logging;

namespace Agent.Hosting;

/// <summary>
/// Which collector runners exist for a config: one per job (node, process, cadvisor),
/// built from the explicit collector tables. A collector that cannot run on this OS or host
/// is left out here and shown as unavailable by `agent check`.
/// </summary>
public static class MetricJobs
{
    /// <param name="docker">The engine's containers; null when neither [containers] nor [logs.docker] needs them.</param>
    public static IReadOnlyList<CollectorRunner> Create(AgentConfig config, ILoggerFactory loggers, ContainerTracker? docker)
    {
        var runners = new List<CollectorRunner>();
        var paths = new HostPaths(config.Host.ProcPath, config.Host.SysPath, config.Host.RootPath);
        if (config.Host.Enabled)
        {
            var collectors = new List<ICollector>();
            foreach (var descriptor in HostCollectors.Selected(config.Host))
            {
                if (descriptor.Create(paths, config.Host) is { } collector) collectors.Add(collector);
            }
            runners.Add(new CollectorRunner("node", collectors, loggers.CreateLogger("collector.host"),
                OperatingSystem.IsLinux() ? new Telemetry.ProcessSelfCollector() : null));
        }
        if (config.Process.Enabled && OperatingSystem.IsLinux() && Environment.Is64BitProcess)
        {
            runners.Add(new CollectorRunner("process", [new ProcessCollector(paths, config.Process)], loggers.CreateLogger("collector.process")));
        }
        if (docker is not null && config.Containers.Enabled)
        {
            var collectors = new List<ICollector>();
            if (ContainersCollector.Create(paths, config.Containers, docker) is { } cgroups) collectors.Add(cgroups);
            collectors.Add(new ContainerLifecycleCollector(docker.All));
            if (OperatingSystem.IsLinux()) collectors.Add(new MachineCollector(paths));
            runners.Add(new CollectorRunner("cadvisor", collectors, loggers.CreateLogger("collector.containers")));
        }
        return runners;
    }
}
