using Agent.Collectors.Scrape;
using Microsoft.Extensions.Hosting;

namespace Agent.Hosting;

/// <summary>
/// Scraping beside the collection clock, not on it: targets run on their own schedules and
/// hand their batches straight to the remote-write queues. Registered after the exporters, so
/// it stops before they flush.
/// </summary>
internal sealed class ScrapeService(ScrapeManager manager) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        manager.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await manager.DisposeAsync();
}
