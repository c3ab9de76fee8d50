using Microsoft.Extensions.Hosting;

namespace Agent.Hosting;

/// <summary>
/// In place of the generic host's console and systemd lifetimes: those take SIGTERM only once
/// a pipeline starts, and tell systemd STOPPING=1 whenever a pipeline stops, which a reload
/// does. Signals and what systemd hears belong to <see cref="ServiceControl"/>, for the whole run.
/// </summary>
public sealed class ServiceLifetime(IHostApplicationLifetime application, ServiceControl control) : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        application.ApplicationStarted.Register(control.Started);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
