using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Agent.Tests.Support;

/// <summary>
/// A real HTTP/1.1 endpoint on 127.0.0.1 serving whatever a scrape test needs: a body with a
/// content type, gzip-encoded or not, an error status, or a connection that is accepted and
/// never answered. Records the request headers it received.
/// </summary>
public sealed class TargetServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _held = [];
    private readonly Task _accept;

    public TargetServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accept = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string Address => $"127.0.0.1:{Port}";
    public byte[] Body { get; set; } = [];
    public string ContentType { get; set; } = "text/plain; version=0.0.4; charset=utf-8";
    public bool Gzip { get; set; }
    public int Status { get; set; } = 200;
    /// <summary>Accept the connection, read the request, never answer.</summary>
    public bool Hang { get; set; }
    public int Requests;
    public string LastRequest { get; private set; } = "";

    public string Text { set => Body = Encoding.UTF8.GetBytes(value); }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            while (true)
            {
                var request = await ReadHeadAsync(stream);
                if (request is null) break;
                Interlocked.Increment(ref Requests);
                LastRequest = request;
                if (Hang)
                {
                    lock (_held) _held.Add(client);
                    return;
                }
                var body = Body;
                if (Gzip)
                {
                    using var packed = new MemoryStream();
                    using (var gz = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(body);
                    body = packed.ToArray();
                }
                var head = $"HTTP/1.1 {Status} {(Status == 200 ? "OK" : "Error")}\r\nContent-Type: {ContentType}\r\nContent-Length: {body.Length}\r\n"
                    + (Gzip ? "Content-Encoding: gzip\r\n" : "") + "\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                await stream.WriteAsync(body);
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
        client.Dispose();
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one) == 0) return null;
            head.Append((char)one[0]);
        }
        return head.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _accept; } catch (Exception) { }
        lock (_held)
        {
            foreach (var c in _held) c.Dispose();
        }
        _stop.Dispose();
    }
}
