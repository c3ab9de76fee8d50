using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Agent.Protos.Loki;
using Snappier;

namespace Agent.Tests.Support;

/// <summary>
/// An in-test Loki push endpoint for what a real Loki cannot show: it decodes the real
/// snappy PushRequest, rejects with 400 what Loki rejects (unparseable or empty label
/// selectors, invalid label names, duplicate names, entries older than the stream's last
/// accepted one), counts every accepted line (Loki would hide duplicates), and injects
/// faults on cue (500/429 with Retry-After, slow answers).
/// </summary>
public sealed class LokiReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly ConcurrentQueue<(HttpStatusCode Code, TimeSpan? RetryAfter, TimeSpan Delay)> _faults = new();
    private readonly Dictionary<string, long> _lastTimestamp = new(StringComparer.Ordinal);
    private readonly List<(string Stream, long TimestampNs, string Line)> _accepted = [];
    private readonly List<string> _rejections = [];
    private readonly HashSet<(string Stream, long TimestampNs, string Line)> _distinct = [];
    private int _duplicates;
    private int _requests;

    public LokiReceiver()
    {
        var port = FreePort.Next();
        PushUrl = $"http://127.0.0.1:{port}/loki/api/v1/push";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string PushUrl { get; }

    /// <summary>
    /// Like Loki ≥ 2.4 (unordered_writes, its default): entries older than their stream's last
    /// are stored too. Off by default, so a source that sends out of order is caught.
    /// </summary>
    public bool AcceptOutOfOrder { get; init; }

    public int Requests => Volatile.Read(ref _requests);

    public List<string> Headers { get; } = [];

    public IReadOnlyList<(string Stream, long TimestampNs, string Line)> Accepted
    {
        get { lock (_accepted) return [.. _accepted]; }
    }

    /// <summary>Accepted entries identical (stream, timestamp, line) to one accepted before: what Loki would store once, sent twice.</summary>
    public int Duplicates
    {
        get { lock (_accepted) return _duplicates; }
    }

    public IReadOnlyList<string> Rejections
    {
        get { lock (_accepted) return [.. _rejections]; }
    }

    /// <summary>The next <paramref name="count"/> pushes answer <paramref name="code"/> (and are not stored).</summary>
    public void FailNext(int count, HttpStatusCode code, TimeSpan? retryAfter = null)
    {
        for (var i = 0; i < count; i++) _faults.Enqueue((code, retryAfter, TimeSpan.Zero));
    }

    private DateTime _failUntil;
    private int _rejectLongerThan = int.MaxValue;

    /// <summary>Every push fails until <paramref name="duration"/> has passed, alternating 500 and 429.</summary>
    public void FailFor(TimeSpan duration) => _failUntil = DateTime.UtcNow + duration;

    /// <summary>Like Loki's max_line_size: longer lines are refused (400), the others of the push stored.</summary>
    public void RejectLinesLongerThan(int bytes) => _rejectLongerThan = bytes;

    /// <summary>The next push is stored but answered only after <paramref name="delay"/>.</summary>
    public void SlowNext(TimeSpan delay) => _faults.Enqueue((HttpStatusCode.NoContent, null, delay));

    public async Task<IReadOnlyList<string>> WaitForLinesAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var lines = Accepted.Select(a => a.Line).ToList();
            if (lines.Count >= count) return lines;
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{lines.Count} of {count} lines after {timeout}; rejections: {string.Join("; ", Rejections)}");
            }
            await Task.Delay(50);
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            Interlocked.Increment(ref _requests);
            lock (Headers) Headers.Add($"{context.Request.ContentType}|{context.Request.Headers["Content-Encoding"]}|{context.Request.UserAgent}");
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            if (DateTime.UtcNow < _failUntil)
            {
                var tooMany = Requests % 2 == 0;
                if (tooMany) response.Headers["Retry-After"] = "1";
                await Respond(response, tooMany ? HttpStatusCode.TooManyRequests : HttpStatusCode.InternalServerError, "outage");
                return;
            }
            if (_faults.TryDequeue(out var fault) && fault.Delay == TimeSpan.Zero)
            {
                if (fault.RetryAfter is { } ra) response.Headers["Retry-After"] = ((int)ra.TotalSeconds).ToString();
                await Respond(response, fault.Code, "injected fault");
                return;
            }
            var (code, message) = Accept(body.ToArray());
            if (fault.Delay > TimeSpan.Zero) await Task.Delay(fault.Delay);
            await Respond(response, code, message);
        }
        catch (Exception e)
        {
            await Respond(response, HttpStatusCode.InternalServerError, e.Message);
        }
    }

    private (HttpStatusCode, string) Accept(byte[] compressed)
    {
        byte[] raw;
        PushRequest request;
        try
        {
            raw = new byte[Snappy.GetUncompressedLength(compressed)];
            Snappy.Decompress(compressed, raw);
            request = PushRequest.Parser.ParseFrom(raw);
        }
        catch (Exception e)
        {
            return Reject($"cannot decode push request: {e.Message}");
        }
        lock (_accepted)
        {
            // Validate the whole request first: Loki answers 400 for the request, we store nothing of it.
            var last = new Dictionary<string, long>(_lastTimestamp, StringComparer.Ordinal);
            foreach (var stream in request.Streams)
            {
                if (ParseSelector(stream.Labels) is { } error) return Reject($"invalid labels {stream.Labels}: {error}");
                foreach (var entry in stream.Entries)
                {
                    var ts = entry.Timestamp.Seconds * 1_000_000_000 + entry.Timestamp.Nanos;
                    if (!AcceptOutOfOrder && last.TryGetValue(stream.Labels, out var previous) && ts < previous)
                    {
                        return Reject($"entry out of order for stream {stream.Labels}: {ts} < {previous}");
                    }
                    last[stream.Labels] = Math.Max(ts, last.GetValueOrDefault(stream.Labels));
                }
            }
            var ignored = 0;
            var total = 0;
            foreach (var stream in request.Streams)
            {
                foreach (var entry in stream.Entries)
                {
                    total++;
                    if (Encoding.UTF8.GetByteCount(entry.Line) > _rejectLongerThan)
                    {
                        ignored++;
                        continue;
                    }
                    var accepted = (stream.Labels, entry.Timestamp.Seconds * 1_000_000_000 + entry.Timestamp.Nanos, entry.Line);
                    _accepted.Add(accepted);
                    if (!_distinct.Add(accepted)) _duplicates++;
                }
            }
            foreach (var (k, v) in last) _lastTimestamp[k] = v;
            if (ignored > 0)
            {
                // Loki's wording for a partially refused push: the valid entries are stored.
                var message = $"entry for stream has a line too long, max line size is {_rejectLongerThan}; total ignored: {ignored} out of {total}";
                _rejections.Add(message);
                return (HttpStatusCode.BadRequest, message);
            }
        }
        return (HttpStatusCode.NoContent, "");
    }

    private (HttpStatusCode, string) Reject(string message)
    {
        lock (_accepted) _rejections.Add(message);
        return (HttpStatusCode.BadRequest, message);
    }

    /// <summary>Parses {name="value", ...} as Loki's label parser would; returns an error or null.</summary>
    public static string? ParseSelector(string selector)
    {
        if (selector.Length < 2 || selector[0] != '{' || selector[^1] != '}') return "not enclosed in {}";
        var names = new HashSet<string>(StringComparer.Ordinal);
        var i = 1;
        while (i < selector.Length - 1)
        {
            while (selector[i] == ' ' || selector[i] == ',') i++;
            var start = i;
            while (i < selector.Length && (char.IsAsciiLetterOrDigit(selector[i]) || selector[i] == '_')) i++;
            var name = selector[start..i];
            if (name.Length == 0 || char.IsAsciiDigit(name[0])) return $"invalid label name at {start}";
            if (!names.Add(name)) return $"duplicate label name {name}";
            if (i + 1 >= selector.Length || selector[i] != '=' || selector[i + 1] != '"') return $"expected =\" after {name}";
            i += 2;
            var value = new StringBuilder();
            while (i < selector.Length - 1 && selector[i] != '"')
            {
                if (selector[i] == '\\') i++;
                value.Append(selector[i++]);
            }
            if (i >= selector.Length - 1 && selector[^1] != '}') return "unterminated value";
            if (selector[i] != '"') return $"unterminated value of {name}";
            if (value.ToString().Contains('\uFFFD')) return $"invalid UTF-8 in value of {name}";
            i++;
        }
        return names.Count == 0 ? "empty label set" : null;
    }

    private static async Task Respond(HttpListenerResponse response, HttpStatusCode code, string message)
    {
        try
        {
            response.StatusCode = (int)code;
            if (code != HttpStatusCode.NoContent)
            {
                var bytes = Encoding.UTF8.GetBytes(message);
                await response.OutputStream.WriteAsync(bytes);
            }
            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
