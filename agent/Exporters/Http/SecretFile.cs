using Agent.Telemetry;
using Microsoft.Extensions.Logging;

namespace Agent.Exporters.Http;

/// <summary>
/// A password or token read from a file on every request, so a rotated secret is picked up
/// without a restart. When the file becomes unreadable (mid-rotation, a permission slip) the
/// last good value is kept and the problem logged once until the file reads again; only a
/// file never read successfully fails the request (which is then retried).
/// </summary>
public sealed class SecretFile(string path, string endpoint, ILogger? logger)
{
    private string? _last;
    private bool _failing;

    public string Path { get; } = path;

    public string Read()
    {
        try
        {
            var value = File.ReadAllText(Path).Trim();
            // A line break inside it would split the header: refused like an unreadable file.
            if (!HeaderText.IsValue(value)) throw new IOException("it holds a line break or control character, so it is not sent");
            lock (this)
            {
                if (_failing) logger?.LogInformation("{Endpoint}: {File} is readable again", endpoint, Path);
                _failing = false;
                _last = value;
            }
            return value;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lock (this)
            {
                if (_last is null) throw;
                if (!_failing) logger?.LogWarning("{Endpoint}: cannot read {File} ({Message}); sending the last value read until it can be read again", endpoint, Path, ErrorText.Of(e));
                _failing = true;
                return _last;
            }
        }
    }
}
