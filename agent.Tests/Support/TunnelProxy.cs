using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Agent.Tests.Support;

/// <summary>
/// A forward HTTP proxy on 127.0.0.1, as squid or a corporate proxy behaves for what the agent
/// sends: CONNECT tunnels for https, absolute-form requests for http, 407 until Basic
/// credentials arrive when it has a user. It records every request line it relayed.
/// </summary>
public sealed class TunnelProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly string? _credentials;
    private readonly Task _accept;

    /// <param name="user">Required user (with <paramref name="password"/>); null: no authentication.</param>
    public TunnelProxy(string? user = null, string? password = null)
    {
        if (user is not null) _credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Request lines relayed ("CONNECT 127.0.0.1:9090 HTTP/1.1", "POST http://... HTTP/1.1").</summary>
    public ConcurrentQueue<string> Relayed { get; } = new();

    /// <summary>Requests refused with 407 for lack of credentials.</summary>
    public int Challenged;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        await using var stream = new NetworkStream(client, ownsSocket: false);
        try
        {
            while (true)
            {
                var head = await ReadHeadAsync(stream);
                if (head is null) return;
                var lines = head.Split("\r\n");
                var parts = lines[0].Split(' ');
                if (_credentials is not null && !lines.Any(l => l.Equals($"Proxy-Authorization: Basic {_credentials}", StringComparison.OrdinalIgnoreCase)))
                {
                    Interlocked.Increment(ref Challenged);
                    // Drain a request body so the connection can carry the retry with credentials.
                    var length = lines.Select(l => l.Split(':', 2)).Where(kv => kv.Length == 2 && kv[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                        .Select(kv => int.Parse(kv[1].Trim())).FirstOrDefault();
                    if (length > 0) await stream.ReadExactlyAsync(new byte[length]);
                    await stream.WriteAsync("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
                    continue;
                }
                Relayed.Enqueue(lines[0]);
                using var upstream = new TcpClient();
                if (parts[0] == "CONNECT")
                {
                    var target = parts[1].Split(':');
                    await upstream.ConnectAsync(target[0], int.Parse(target[1]));
                    await stream.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray());
                    await PipeAsync(stream, upstream.GetStream());
                    return;
                }
                var url = new Uri(parts[1]);
                await upstream.ConnectAsync(url.Host, url.Port);
                var forwarded = new StringBuilder($"{parts[0]} {url.PathAndQuery} {parts[2]}\r\n");
                foreach (var line in lines.Skip(1))
                {
                    if (line.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase) || line.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase)) continue;
                    forwarded.Append(line).Append("\r\n");
                }
                forwarded.Append("Connection: close\r\n\r\n");
                var upstreamStream = upstream.GetStream();
                await upstreamStream.WriteAsync(Encoding.ASCII.GetBytes(forwarded.ToString()));
                await PipeAsync(stream, upstreamStream);
                return;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
        }
    }

    private static async Task PipeAsync(Stream a, Stream b)
    {
        var one = a.CopyToAsync(b);
        var other = b.CopyToAsync(a);
        await Task.WhenAny(one, other);
    }

    /// <summary>Up to the blank line, byte by byte: what follows belongs to the body or the tunnel.</summary>
    private static async Task<string?> ReadHeadAsync(Stream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 65536)
        {
            if (await stream.ReadAsync(one) == 0) return null;
            head.Add(one[0]);
            if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                return Encoding.ASCII.GetString(head.ToArray(), 0, head.Count - 4);
            }
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _accept; } catch (Exception) { }
        _stop.Dispose();
    }
}
