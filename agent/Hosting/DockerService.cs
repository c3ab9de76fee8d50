using Agent.Docker;
using Microsoft.Extensions.Hosting;

namespace Agent.Hosting;

/// <summary>Starts following the Docker engine before collection and log sources need it; stops it after them.</summary>
internal sealed class DockerService(ContainerTracker tracker) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        tracker.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await tracker.DisposeAsync();
}
