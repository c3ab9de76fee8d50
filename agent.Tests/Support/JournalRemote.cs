using System.Diagnostics;
using Xunit;

namespace Agent.Tests.Support;

/// <summary>
/// Debian's systemd-journal-remote (package systemd-journal-remote) writing a real journal file
/// from export-format entries fed to its stdin, while readers follow the file. Without the
/// binary a test skips; under CI=true it fails (.ci/run installs the package).
/// </summary>
public sealed class JournalRemote : IAsyncDisposable
{
    private static readonly string[] Candidates = ["/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"];

    private readonly Process _process;
    private readonly Task<string> _stderr;
    private bool _finished;

    private JournalRemote(Process process, string file)
    {
        _process = process;
        File = file;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>The journal file being written.</summary>
    public string File { get; }

    public static string Binary()
    {
        foreach (var candidate in Candidates)
        {
            if (System.IO.File.Exists(candidate)) return candidate;
        }
        const string message = "systemd-journal-remote not found (apt-get install systemd-journal-remote)";
        if (ServerBinary.InCi) Assert.Fail(message + " (CI=true: .ci/run must install it)");
        Assert.Skip(message);
        return null!;
    }

    /// <param name="file">The journal file to write (its name must end in .journal).</param>
    public static JournalRemote Start(string file)
    {
        var psi = new ProcessStartInfo(Binary(), ["--compress=no", "-o", file, "-"])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return new JournalRemote(Process.Start(psi)!, file);
    }

    /// <summary>Writes the whole list to <paramref name="file"/> and waits for the writer to finish.</summary>
    public static async Task WriteAsync(string file, IEnumerable<JournalExportEntry> entries)
    {
        await using var remote = Start(file);
        await remote.AppendAsync(entries);
        await remote.FinishAsync();
    }

    public async Task AppendAsync(IEnumerable<JournalExportEntry> entries)
    {
        using var buffer = new MemoryStream();
        foreach (var entry in entries) entry.WriteTo(buffer);
        await _process.StandardInput.BaseStream.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        await _process.StandardInput.BaseStream.FlushAsync();
    }

    /// <summary>Export-format bytes as they are (a checked-in fixture).</summary>
    public async Task AppendRawAsync(byte[] export)
    {
        await _process.StandardInput.BaseStream.WriteAsync(export);
        await _process.StandardInput.BaseStream.FlushAsync();
    }

    /// <summary>Ends the input; the writer puts the file offline and exits. Throws with its output unless it exited 0.</summary>
    public async Task FinishAsync()
    {
        if (_finished) return;
        _finished = true;
        _process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        if (_process.ExitCode != 0) throw new InvalidOperationException($"systemd-journal-remote exited {_process.ExitCode}: {await _stderr}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_finished && !_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
