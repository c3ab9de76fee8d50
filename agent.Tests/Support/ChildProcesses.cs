using System.Diagnostics;

namespace Agent.Tests.Support;

/// <summary>
/// Processes a test keeps alive with a comm of its own, so that its groups hold exactly what
/// it started even on a host shared with other work: /bin/sleep and /bin/sh are copied under
/// a unique name (comm is the executable's name, cut to 15 bytes). Killed on dispose.
/// </summary>
public sealed class ChildProcesses : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-children-").FullName;
    private readonly List<Process> _processes = [];

    /// <summary>A short unique prefix; comms are prefix + "s" (sleepers) and prefix + "b" (busy).</summary>
    public string Prefix { get; } = "px" + Guid.NewGuid().ToString("N")[..8];

    public string SleeperComm => Prefix + "s";

    public string BusyComm => Prefix + "b";

    public void StartSleepers(int count)
    {
        var binary = CopyOf("/bin/sleep", SleeperComm);
        for (var i = 0; i < count; i++) Start(binary, ["600"]);
    }

    /// <summary>A shell spinning in a loop: one process, one thread, always running.</summary>
    public void StartBusy()
    {
        var binary = CopyOf("/bin/sh", BusyComm);
        Start(binary, ["-c", "while :; do :; done"]);
    }

    private string CopyOf(string source, string name)
    {
        var target = Path.Combine(_dir, name);
        // File.Copy keeps the execute bits on Unix.
        File.Copy(source, target);
        return target;
    }

    private void Start(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardInput = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        _processes.Add(Process.Start(psi)!);
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try
            {
                if (!p.HasExited) p.Kill();
                p.WaitForExit(5000);
            }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
        Directory.Delete(_dir, recursive: true);
    }
}
