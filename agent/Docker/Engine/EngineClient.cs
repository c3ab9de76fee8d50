using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Agent.Docker.Engine;

/// <summary>
/// The few Docker Engine API calls the agent makes (version, list, inspect, events, logs),
/// over the engine's unix socket, named pipe or tcp address. Answers are read with
/// JsonDocument: five small documents do not need a serializer and its metadata for the
/// whole API (Docker.DotNet's models and System.Text.Json's were 4.3 MB of an 18 MB binary).
/// </summary>
public sealed class EngineClient : IDisposable
{
    /// <summary>What a JSON answer may take; the engine's replies are a few KB.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private const int MaxErrorBody = 64 * 1024;

    private readonly HttpClient _http;
    private readonly string _prefix;

    private EngineClient(HttpClient http, string prefix)
    {
        _http = http;
        _prefix = prefix;
    }

    /// <summary>A client speaking <paramref name="api"/> (null: unversioned paths, as /version needs).</summary>
    public static EngineClient Create(Uri endpoint, Version? api)
    {
        var (handler, baseAddress) = Transport(endpoint);
        var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        return new EngineClient(http, api is null ? "" : $"/v{api.Major}.{api.Minor}");
    }

    private static (SocketsHttpHandler Handler, Uri BaseAddress) Transport(Uri endpoint)
    {
        var handler = new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None };
        switch (endpoint.Scheme)
        {
            case "unix":
                var socketPath = endpoint.LocalPath;
                handler.ConnectCallback = async (_, ct) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                };
                return (handler, new Uri("http://docker"));
            case "npipe":
                // npipe:////./pipe/docker_engine: server ".", pipe "docker_engine".
                var pipe = endpoint.AbsolutePath.StartsWith("/pipe/", StringComparison.Ordinal) ? endpoint.AbsolutePath[6..] : endpoint.AbsolutePath.TrimStart('/');
                var server = string.IsNullOrEmpty(endpoint.Host) ? "." : endpoint.Host;
                handler.ConnectCallback = async (_, ct) =>
                {
                    var stream = new System.IO.Pipes.NamedPipeClientStream(server, pipe, System.IO.Pipes.PipeDirection.InOut, System.IO.Pipes.PipeOptions.Asynchronous);
                    await stream.ConnectAsync(ct);
                    return stream;
                };
                return (handler, new Uri("http://docker"));
            default:
                // tcp://host:port and http://host:port: plain HTTP, as the docker CLI speaks without TLS settings.
                return (handler, new UriBuilder(endpoint) { Scheme = "http", Path = "/" }.Uri);
        }
    }

    /// <summary>The answer to a GET on <paramref name="path"/> (under the API version); null for 404 when <paramref name="missingIsNull"/>.</summary>
    public async Task<JsonDocument?> GetJsonAsync(string path, CancellationToken ct, bool missingIsNull = false)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        using var response = await _http.GetAsync(_prefix + path, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (missingIsNull && response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureSuccessAsync(response, path, timeout.Token);
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        return await JsonDocument.ParseAsync(body, default, timeout.Token);
    }

    /// <summary>A streamed answer (events, logs), open until the engine ends it or <paramref name="ct"/> fires.</summary>
    public async Task<Stream> GetStreamAsync(string path, CancellationToken ct)
    {
        var response = await _http.GetAsync(_prefix + path, HttpCompletionOption.ResponseHeadersRead, ct);
        try
        {
            await EnsureSuccessAsync(response, path, ct);
            return await response.Content.ReadAsStreamAsync(ct);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string path, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        // {"message":"No such container: x"}; read bounded, an error page must not fill memory.
        var body = new byte[MaxErrorBody];
        var length = 0;
        await using (var stream = await response.Content.ReadAsStreamAsync(ct))
        {
            int read;
            while (length < body.Length && (read = await stream.ReadAsync(body.AsMemory(length), ct)) > 0) length += read;
        }
        throw new EngineApiException(response.StatusCode, path, EngineMessage(body.AsSpan(0, length)));
    }

    private static string EngineMessage(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isMessage = reader.ValueTextEquals("message"u8);
                    reader.Read();
                    if (isMessage && reader.TokenType == JsonTokenType.String) return reader.GetString() ?? "";
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // Not the engine's JSON (a proxy's page): the text itself says more.
        }
        return System.Text.Encoding.UTF8.GetString(body).Trim();
    }

    public void Dispose() => _http.Dispose();
}
