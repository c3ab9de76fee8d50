using System.Diagnostics;
using System.Net.Sockets;

namespace Agent.Tests.Support;

/// <summary>
/// The non-regular files a hostile host puts where logs are expected: FIFOs (with and without
/// a writer), a listening unix socket, a symlink to /dev/null, symlink loops. Sockets stay
/// bound and writers running until dispose.
/// </summary>
public sealed class SpecialFiles : IDisposable
{
    private readonly List<Socket> _sockets = [];
    private readonly List<Process> _writers = [];

    public static void Fifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        if (mkfifo.ExitCode != 0) throw new InvalidOperationException($"mkfifo {path} exited {mkfifo.ExitCode}");
    }

    /// <summary>A FIFO that a writer holds open (read-write, so its open does not wait for a reader) and keeps writing to.</summary>
    public void FifoWithWriter(string path)
    {
        Fifo(path);
        var writer = Process.Start(new ProcessStartInfo("sh", ["-c", "exec 3<>\"$0\"; while :; do echo written-to-fifo >&3 || exit; sleep 0.05; done", path])
        {
            UseShellExecute = false,
        })!;
        _writers.Add(writer);
    }

    public void Socket(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen();
        _sockets.Add(socket);
    }

    /// <summary>Links back up the tree at three depths, and one link that names itself.</summary>
    public static void SymlinkLoops(string dir)
    {
        Directory.CreateDirectory(Path.Combine(dir, "sub", "deeper", "deepest"));
        File.CreateSymbolicLink(Path.Combine(dir, "self-loop"), ".");
        File.CreateSymbolicLink(Path.Combine(dir, "sub", "up"), "..");
        File.CreateSymbolicLink(Path.Combine(dir, "sub", "deeper", "deepest", "top"), "../../..");
        File.CreateSymbolicLink(Path.Combine(dir, "sub", "deeper", "sideways"), "../../sub");
        File.CreateSymbolicLink(Path.Combine(dir, "itself.log"), "itself.log");
    }

    public void Dispose()
    {
        foreach (var writer in _writers)
        {
            if (!writer.HasExited) writer.Kill(entireProcessTree: true);
            writer.WaitForExit();
            writer.Dispose();
        }
        foreach (var socket in _sockets) socket.Dispose();
    }
}
