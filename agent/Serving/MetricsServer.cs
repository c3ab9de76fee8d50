using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Agent.Serving;

/// <summary>
/// A deliberately tiny HTTP/1.1 server for /metrics and /healthz: GET only, one request per
/// connection. Scrapers need nothing more, and it costs far less than a web framework
/// inside a single-file agent.
/// Clients are not trusted to behave: connections are capped, reading a request and writing
/// a response each have a deadline, concurrent scrapes share one rendered body (a client that
/// never reads pins at most that body, not one copy each), and a failing accept (no file
/// descriptors left) backs off instead of spinning.
/// With a web config (exporter-toolkit's format) every connection is TLS and every request needs
/// basic auth, /healthz included, as node_exporter does with the same file.
/// </summary>
public sealed class MetricsServer : IAsyncDisposable
{
    private const int MaxRequestBytes = 8192;

    /// <summary>Scrapes within this long of a render get the same body.</summary>
    private static readonly TimeSpan BodyReuse = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan MaxAcceptBackoff = TimeSpan.FromSeconds(1);

    private readonly TcpListener _listener;
    private readonly Func<IBufferWriter<byte>, string> _writeMetrics;
    private readonly Func<bool> _healthy;
    private readonly ILogger _logger;
    private readonly ServerLimits _limits;
    private readonly Web.WebGuard? _guard;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _renderLock = new();
    private (ReadOnlyMemory<byte> Body, string ContentType, long RenderedAt)? _rendered;
    private int _open;
    private Task? _acceptLoop;

    /// <param name="writeMetrics">Writes the exposition body and returns its content type.</param>
    /// <param name="guard">TLS and basic auth from a web config file; null: plain http, open.</param>
    public MetricsServer(IPEndPoint endpoint, Func<IBufferWriter<byte>, string> writeMetrics, Func<bool> healthy, ILogger logger, ServerLimits? limits = null,
        Web.WebGuard? guard = null)
    {
        _guard = guard;
        _limits = limits ?? ServerLimits.Default;
        _listener = new TcpListener(endpoint);
        _writeMetrics = writeMetrics;
        _healthy = healthy;
        _logger = logger;
    }

    public IPEndPoint LocalEndpoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Parses "host:port"; an empty host or "*" means all interfaces.</summary>
    public static bool TryParseListen(string listen, out IPEndPoint endpoint)
    {
        endpoint = null!;
        var colon = listen.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(listen.AsSpan(colon + 1), out var port) || port is < 0 or > 65535) return false;
        var host = listen[..colon].Trim('[', ']');
        IPAddress address;
        if (host.Length == 0 || host == "*" || host == "0.0.0.0") address = IPAddress.Any;
        else if (host == "localhost") address = IPAddress.Loopback;
        else if (!IPAddress.TryParse(host, out address!)) return false;
        endpoint = new IPEndPoint(address, port);
        return true;
    }

    public void Start()
    {
        _listener.Start();
        _acceptLoop = AcceptLoopAsync(_stop.Token);
    }

    /// <summary>Connections being served now.</summary>
    internal int OpenConnections => Volatile.Read(ref _open);

    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        var failures = 0;
        var backoff = TimeSpan.Zero;
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(ct);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // EMFILE and friends fail again at once while the cause lasts: one line per
                // episode and a growing pause, not a hot loop writing thousands of lines a second.
                if (failures++ == 0) _logger.LogWarning("http: accept failed: {Error}; retrying with backoff", Telemetry.ErrorText.Of(e));
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(10) : backoff * 2;
                if (backoff > MaxAcceptBackoff) backoff = MaxAcceptBackoff;
                try { await Task.Delay(backoff, ct); }
                catch (OperationCanceledException) { return; }
                continue;
            }
            if (failures > 0)
            {
                _logger.LogInformation("http: accepting again after {Failures} failed accepts", failures);
                failures = 0;
                backoff = TimeSpan.Zero;
            }
            if (Interlocked.Increment(ref _open) > _limits.MaxConnections)
            {
                _ = RefuseAsync(socket);
                continue;
            }
            _ = ServeAsync(socket, ct);
        }
    }

    /// <summary>Over the cap: a 503 small enough for any socket buffer, then close (under TLS just the close: no handshake is spent on it).</summary>
    private async Task RefuseAsync(Socket socket)
    {
        using var _ = socket;
        try
        {
            if (_guard?.UsesTls == true) return;
            using var deadline = new CancellationTokenSource(_limits.ReadDeadline);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await RespondAsync(stream, 503, "text/plain", "too many connections\n"u8.ToArray(), deadline.Token);
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken ct)
    {
        using var _ = socket;
        var buffer = ArrayPool<byte>.Shared.Rent(MaxRequestBytes);
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            // The read deadline covers the TLS handshake too: a client that opens and stalls costs nothing more.
            timeout.CancelAfter(_limits.ReadDeadline);
            if (_guard?.ServerOptions() is { } tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsServerAsync(tls, timeout.Token);
            }
            var length = 0;
            int headerEnd;
            while ((headerEnd = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (length == MaxRequestBytes)
                {
                    await RespondAsync(stream, 431, "text/plain", "request headers too large\n"u8.ToArray(), ct);
                    return;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(length, MaxRequestBytes - length), timeout.Token);
                if (read == 0) return;
                length += read;
            }
            var (method, path) = ParseRequestLine(buffer.AsSpan(0, headerEnd));
            if (_guard is not null && !await _guard.AuthorizedAsync(buffer.AsMemory(0, headerEnd), timeout.Token))
            {
                timeout.CancelAfter(_limits.WriteDeadline);
                await RespondAsync(stream, 401, "text/plain", "unauthorized\n"u8.ToArray(), timeout.Token, extraHeader: "WWW-Authenticate: Basic\r\n");
                return;
            }
            // From here on the deadline is for writing the answer.
            timeout.CancelAfter(_limits.WriteDeadline);
            ct = timeout.Token;
            if (method != "GET" && method != "HEAD")
            {
                await RespondAsync(stream, 405, "text/plain", "only GET\n"u8.ToArray(), ct);
                return;
            }
            var query = path.IndexOf('?');
            if (query >= 0) path = path[..query];
            switch (path)
            {
                case "/metrics":
                    var (body, contentType) = Render();
                    await RespondAsync(stream, 200, contentType, body, ct, headOnly: method == "HEAD");
                    break;
                case "/healthz":
                    var ok = _healthy();
                    await RespondAsync(stream, ok ? 200 : 503, "text/plain", ok ? "ok\n"u8.ToArray() : "unhealthy\n"u8.ToArray(), ct);
                    break;
                case "/":
                    await RespondAsync(stream, 200, "text/html", "<html><body><a href=\"/metrics\">/metrics</a> <a href=\"/healthz\">/healthz</a></body></html>\n"u8.ToArray(), ct);
                    break;
                default:
                    await RespondAsync(stream, 404, "text/plain", "not found\n"u8.ToArray(), ct);
                    break;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or System.Security.Authentication.AuthenticationException)
        {
            // A scraper that hangs up, stalls or fails the handshake is its own problem; nothing to report.
        }
        catch (Exception e)
        {
            _logger.LogError("http: request failed: {Error} ({Type})", Telemetry.ErrorText.Of(e), e.GetType().Name);
        }
        finally
        {
            await CloseAsync(socket, stream);
            ArrayPool<byte>.Shared.Return(buffer);
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>
    /// One body for every scrape within <see cref="BodyReuse"/>: a burst of scrapes (or clients
    /// that never read) costs one rendering and one buffer, which each connection only reads.
    /// </summary>
    private (ReadOnlyMemory<byte> Body, string ContentType) Render()
    {
        lock (_renderLock)
        {
            if (_rendered is { } last && System.Diagnostics.Stopwatch.GetElapsedTime(last.RenderedAt) < BodyReuse)
            {
                return (last.Body, last.ContentType);
            }
            // Sized from the last body: growing by doubling would leave up to twice its size behind.
            var previous = _rendered?.Body.Length ?? 0;
            var writer = new ArrayBufferWriter<byte>(Math.Max(64 * 1024, previous + previous / 8));
            var contentType = _writeMetrics(writer);
            _rendered = (writer.WrittenMemory, contentType, System.Diagnostics.Stopwatch.GetTimestamp());
            return (writer.WrittenMemory, contentType);
        }
    }

    private static (string Method, string Path) ParseRequestLine(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var line = lineEnd >= 0 ? head[..lineEnd] : head;
        var firstSpace = line.IndexOf((byte)' ');
        if (firstSpace < 0) return ("", "");
        var rest = line[(firstSpace + 1)..];
        var secondSpace = rest.IndexOf((byte)' ');
        var target = secondSpace >= 0 ? rest[..secondSpace] : rest;
        return (Encoding.ASCII.GetString(line[..firstSpace]), Encoding.ASCII.GetString(target));
    }

    /// <summary>TLS close_notify, then FIN both ways: closing with unread request bytes would send a reset that can cut the answer off.</summary>
    private static async Task CloseAsync(Socket socket, Stream stream)
    {
        try
        {
            if (stream is SslStream { IsAuthenticated: true } ssl) await ssl.ShutdownAsync();
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
        await stream.DisposeAsync();
    }

    private static async Task RespondAsync(Stream stream, int status, string contentType, ReadOnlyMemory<byte> body, CancellationToken ct,
        bool headOnly = false, string extraHeader = "")
    {
        var reason = status switch
        {
            200 => "OK",
            401 => "Unauthorized",
            404 => "Not Found",
            405 => "Method Not Allowed",
            431 => "Request Header Fields Too Large",
            503 => "Service Unavailable",
            _ => "Error",
        };
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\n{extraHeader}Connection: close\r\n\r\n");
        await stream.WriteAsync(head, ct);
        if (!headOnly && body.Length > 0) await stream.WriteAsync(body, ct);
        await stream.FlushAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _listener.Stop();
        if (_acceptLoop is not null) await _acceptLoop;
        _stop.Dispose();
    }
}
