using System.Runtime.InteropServices;
using Agent.Cli;
using Agent.Config;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Agent.Hosting;

/// <summary>
/// What outlives each pipeline of one `agent run`: the reload request (SIGHUP), the reload
/// status, and what systemd is told (READY=1 once running, RELOADING=1 then READY=1 around a
/// reload, STOPPING=1 only when the agent really ends). A config that does not load is logged,
/// problem by problem with file:line:col, and the running pipeline goes on untouched.
/// </summary>
public sealed class ServiceControl(string configPath)
{
    private readonly Lock _gate = new();
    private readonly ISystemdNotifier _systemd = new SystemdNotifier();
    private IHostApplicationLifetime? _application;
    private ILogger? _logger;
    private AgentConfig? _pending;
    private bool _reloading;
    private bool _terminating;
    private string? _startFailure;

    public ReloadStatus Status { get; } = new();

    /// <summary>True once SIGTERM (or SIGINT, SIGQUIT) asked the agent to end.</summary>
    public bool Terminating { get { lock (_gate) return _terminating; } }

    /// <summary>
    /// Takes SIGTERM, SIGINT, SIGQUIT and SIGHUP for the whole run, from before the config is
    /// read: a signal that arrives while a pipeline starts (or between two) still ends the
    /// agent in order, never by the runtime's default exit 143.
    /// </summary>
    public IDisposable ListenForSignals()
    {
        var registrations = new List<PosixSignalRegistration>();
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
        {
            registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                Terminate();
            }));
        }
        if (!OperatingSystem.IsWindows())
        {
            registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                // SIGHUP's default action ends the process on the spot, nothing flushed.
                context.Cancel = true;
                _ = Task.Run(RequestReload, CancellationToken.None);
            }));
        }
        return new Registrations(registrations);
    }

    private sealed class Registrations(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations) registration.Dispose();
        }
    }

    /// <summary>The pipeline now running: the one a reload stops.</summary>
    public void Attach(IHostApplicationLifetime application, ILogger logger)
    {
        string? failure;
        bool terminating;
        lock (_gate)
        {
            _application = application;
            _logger = logger;
            failure = _startFailure;
            _startFailure = null;
            terminating = _terminating;
        }
        if (terminating) application.StopApplication();
        if (failure is not null) logger.LogError("reload failed: the new configuration could not start ({Error}); running the previous one again", failure);
    }

    /// <summary>A pipeline finished starting: the first, or the one a reload brought.</summary>
    public void Started()
    {
        bool reloaded;
        lock (_gate)
        {
            reloaded = _reloading;
            _reloading = false;
        }
        if (reloaded)
        {
            Status.Succeeded();
            _logger?.LogInformation("configuration reloaded from {Path}", configPath);
        }
        _systemd.Notify(ServiceState.Ready);
    }

    private void Terminate()
    {
        IHostApplicationLifetime? application;
        lock (_gate)
        {
            if (_terminating) return;
            _terminating = true;
            application = _application;
        }
        _systemd.Notify(ServiceState.Stopping);
        application?.StopApplication();
    }

    /// <summary>SIGHUP: reads and checks the config whole; only a config that loads replaces the running pipeline.</summary>
    public void RequestReload()
    {
        IHostApplicationLifetime? application;
        ILogger? logger;
        lock (_gate)
        {
            if (_terminating || _reloading) return;
            application = _application;
            logger = _logger;
        }
        logger?.LogInformation("SIGHUP received: reloading the configuration from {Path}", configPath);
        AgentConfig next;
        try
        {
            next = ConfigLoader.Load(configPath);
            if (Checks.DataDirProblem(next.Agent.DataDir) is { } dataDir) throw new ConfigException([dataDir]);
        }
        catch (ConfigException e)
        {
            foreach (var problem in e.Problems) logger?.LogError("reload: {Problem}", problem);
            logger?.LogError("reload failed: still running with the configuration loaded before");
            Status.Failed();
            return;
        }
        lock (_gate)
        {
            if (_terminating || _reloading) return;
            _pending = next;
            _reloading = true;
        }
        _systemd.Notify(new ServiceState("RELOADING=1"));
        application?.StopApplication();
    }

    /// <summary>The config a reload asked for, once the pipeline it replaces has stopped; null when the agent is ending.</summary>
    public AgentConfig? TakePending()
    {
        lock (_gate)
        {
            if (_terminating) return null;
            var next = _pending;
            _pending = null;
            return next;
        }
    }

    /// <summary>A reloaded config whose pipeline could not start: the previous one comes back.</summary>
    public void ReloadFailedToStart(Exception e)
    {
        lock (_gate)
        {
            _reloading = false;
            _startFailure = Telemetry.ErrorText.Of(e);
        }
        Status.Failed();
    }
}
