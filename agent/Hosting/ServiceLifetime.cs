using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;

namespace Agent.Hosting;

/// <summary>
/// Ends a pipeline on SIGTERM, SIGINT or SIGQUIT, in place of the generic host's console and
/// systemd lifetimes: those tell systemd STOPPING=1 whenever a pipeline stops, and a reload
/// stops one. Here only a real termination says so (<see cref="ServiceControl"/>).
/// </summary>
public sealed class ServiceLifetime(IHostApplicationLifetime application, ServiceControl control) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> _signals = [];

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        application.ApplicationStarted.Register(control.Started);
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
        {
            _signals.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                control.Terminate();
                application.StopApplication();
            }));
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var registration in _signals) registration.Dispose();
    }
}
