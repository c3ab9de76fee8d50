using System.Diagnostics;
using System.Text;

namespace Agent.Tests.Support;

/// <summary>
/// The real agent executable (the apphost the SDK copies next to the tests), run as users run
/// it: arguments, environment, exit code, stdout and stderr kept apart, SIGTERM to stop.
/// </summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private bool _disposed;

    private AgentProcess(Process process) => _process = process;

    public static string Executable =>
        Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "agent.exe" : "agent");

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <param name="asUid">
    /// Runs the agent as this user and group id (through setpriv, which execs it: same pid) with
    /// no supplementary groups, so that a test running as root still sees permission denied.
    /// </param>
    public static AgentProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment = null, int? asUid = null)
    {
        var psi = new ProcessStartInfo(asUid is null ? Executable : "setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asUid is { } uid)
        {
            foreach (var a in new[] { $"--reuid={uid}", $"--regid={uid}", "--clear-groups", "--", Executable }) psi.ArgumentList.Add(a);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (environment is not null)
        {
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        }
        var process = new Process { StartInfo = psi };
        var agent = new AgentProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (agent._stdout) agent._stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (agent._stderr) agent._stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return agent;
    }

    /// <summary>Runs to completion; returns the exit code.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        IEnumerable<string> args, IDictionary<string, string>? environment = null, TimeSpan? timeout = null, int? asUid = null)
    {
        await using var agent = Start(args, environment, asUid);
        var code = await agent.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(60));
        return (code, agent.Stdout, agent.Stderr);
    }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>Resident set size (VmRSS) in bytes, from /proc.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) return long.Parse(line[6..].Trim().Split(' ')[0]) * 1024;
        }
        throw new InvalidOperationException($"no VmRSS in /proc/{Id}/status");
    }

    public int OpenDescriptors() => Directory.GetFiles($"/proc/{Id}/fd").Length;

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        // The parameterless wait also drains the redirected streams.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, as systemd stops a service; returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }
        return await WaitForExitAsync(timeout);
    }

    /// <summary>SIGKILL, as a crash or a power cut ends it: no flush, no positions save.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await KillAsync();
        _process.Dispose();
    }
}
