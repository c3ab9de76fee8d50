using Agent.Collectors;
using Agent.Config;
using Agent.Docker;
using Agent.Pipeline;
using Agent.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agent.Hosting;

/// <summary>
/// Wires the generic host: systemd (READY=1, journald log format) or Windows service
/// integration, then the pipeline services in start order. The host stops them in reverse:
/// HTTP, collection, log sources first; exporters last, so queues flush before exit.
/// </summary>
public static class AgentHost
{
    public static IHost Build(AgentConfig config, ServiceControl control)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System", LogLevel.Warning);
        builder.Services.AddSystemd();
        builder.Services.AddWindowsService(o => o.ServiceName = "agent");
        if (!Microsoft.Extensions.Hosting.WindowsServices.WindowsServiceHelpers.IsWindowsService())
        {
            builder.Services.AddSingleton<IHostLifetime>(sp => new ServiceLifetime(sp.GetRequiredService<IHostApplicationLifetime>(), control));
        }
        builder.Services.Configure<HostOptions>(o =>
        {
            // Exporters get shutdown_timeout to flush; the host allows a little more for the rest.
            o.ShutdownTimeout = config.Agent.ShutdownTimeoutValue + TimeSpan.FromSeconds(5);
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore;
        });

        var self = new SelfMetrics();
        control.Status.Register(self);
        if (OperatingSystem.IsLinux()) self.AddCollector(new ProcessSelfCollector());
        var latest = new LatestMetrics();
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(self);
        builder.Services.AddSingleton(latest);

        // One tracker serves container metrics and container logs; registered first so it stops last.
        if (config.FollowsDocker)
        {
            builder.Services.AddSingleton(sp => new ContainerTracker(config.Containers.DockerHostValue, self,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("docker")));
            builder.Services.AddHostedService(sp => new DockerService(sp.GetRequiredService<ContainerTracker>()));
        }

        builder.Services.AddSingleton(sp => new RemoteWriteService(config, self, sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RemoteWriteService>());

        // Scraped samples are pushed only: a pull-mode agent leaves targets to the monitor's own scraper.
        if (config.RemoteWrite.Count > 0 && Collectors.Scrape.ScrapeManager.Wanted(config))
        {
            builder.Services.AddHostedService(sp => new ScrapeService(new Collectors.Scrape.ScrapeManager(config,
                sp.GetRequiredService<RemoteWriteService>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("scrape"), sp.GetService<ContainerTracker>())));
        }

        builder.Services.AddHostedService(sp => new LogsService(config, self, sp.GetRequiredService<ILoggerFactory>(), sp.GetService<ContainerTracker>()));

        builder.Services.AddSingleton(sp => new MetricsLoop(
            config.Agent.IntervalValue,
            MetricJobs.Create(config, sp.GetRequiredService<ILoggerFactory>(), sp.GetService<ContainerTracker>()),
            latest,
            sp.GetRequiredService<RemoteWriteService>(),
            self,
            sp.GetRequiredService<ILogger<MetricsLoop>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MetricsLoop>());

        builder.Services.AddHostedService(sp => new HttpService(
            config.Http.Listen,
            config.Http.WebConfigFile,
            ExternalLabels.ForPull(config),
            latest,
            self,
            () => sp.GetRequiredService<MetricsLoop>().Healthy && sp.GetRequiredService<RemoteWriteService>().Healthy,
            sp.GetRequiredService<ILogger<HttpService>>()));

        return builder.Build();
    }
}
