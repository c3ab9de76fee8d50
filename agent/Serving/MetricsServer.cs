using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Agent.Serving;

/// <summary>
/// A deliberately tiny HTTP/1.1 server for /metrics and /healthz: GET only, one request per
/// connection. Scrapers need nothing more, and it costs far less than a web framework
/// inside a single-file agent.
/// </summary>
public sealed class MetricsServer : IAsyncDisposable
{
    private const int MaxRequestBytes = 8192;

    private readonly TcpListener _listener;
    private readonly Func<IBufferWriter<byte>, string> _writeMetrics;
    private readonly Func<bool> _healthy;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _acceptLoop;

    /// <param name="writeMetrics">Writes the exposition body and returns its content type.</param>
    public MetricsServer(IPEndPoint endpoint, Func<IBufferWriter<byte>, string> writeMetrics, Func<bool> healthy, ILogger logger)
    {
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

    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e)
            {
                _logger.LogWarning("http: accept failed: {Error}", e.Message);
                continue;
            }
            _ = ServeAsync(socket, ct);
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken ct)
    {
        using var _ = socket;
        var buffer = ArrayPool<byte>.Shared.Rent(MaxRequestBytes);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var length = 0;
            int headerEnd;
            while ((headerEnd = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (length == MaxRequestBytes)
                {
                    await RespondAsync(socket, 431, "text/plain", "request headers too large\n"u8.ToArray(), ct);
                    return;
                }
                var read = await socket.ReceiveAsync(buffer.AsMemory(length, MaxRequestBytes - length), SocketFlags.None, timeout.Token);
                if (read == 0) return;
                length += read;
            }
            var (method, path) = ParseRequestLine(buffer.AsSpan(0, headerEnd));
            if (method != "GET" && method != "HEAD")
            {
                await RespondAsync(socket, 405, "text/plain", "only GET\n"u8.ToArray(), ct);
                return;
            }
            var query = path.IndexOf('?');
            if (query >= 0) path = path[..query];
            switch (path)
            {
                case "/metrics":
                    var body = new ArrayBufferWriter<byte>(64 * 1024);
                    var contentType = _writeMetrics(body);
                    await RespondAsync(socket, 200, contentType, body.WrittenMemory, ct, headOnly: method == "HEAD");
                    break;
                case "/healthz":
                    var ok = _healthy();
                    await RespondAsync(socket, ok ? 200 : 503, "text/plain", ok ? "ok\n"u8.ToArray() : "unhealthy\n"u8.ToArray(), ct);
                    break;
                case "/":
                    await RespondAsync(socket, 200, "text/html", "<html><body><a href=\"/metrics\">/metrics</a> <a href=\"/healthz\">/healthz</a></body></html>\n"u8.ToArray(), ct);
                    break;
                default:
                    await RespondAsync(socket, 404, "text/plain", "not found\n"u8.ToArray(), ct);
                    break;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            // A scraper that hangs up or stalls is its own problem; nothing to report.
        }
        catch (Exception e)
        {
            _logger.LogError(e, "http: request failed");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
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

    private static async Task RespondAsync(Socket socket, int status, string contentType, ReadOnlyMemory<byte> body, CancellationToken ct, bool headOnly = false)
    {
        var reason = status switch
        {
            200 => "OK",
            404 => "Not Found",
            405 => "Method Not Allowed",
            431 => "Request Header Fields Too Large",
            503 => "Service Unavailable",
            _ => "Error",
        };
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await socket.SendAsync(head, SocketFlags.None, ct);
        if (!headOnly && body.Length > 0) await socket.SendAsync(body, SocketFlags.None, ct);
        socket.Shutdown(SocketShutdown.Both);
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
