using System.Diagnostics;
using System.IO.Compression;
using Agent.Collectors.Exposition;
using Agent.Pipeline;
using Microsoft.Extensions.Logging;
using Agent.Telemetry;

namespace Agent.Collectors.Scrape;

/// <summary>
/// One target on its own schedule: at a fixed offset within the interval (from the target's
/// identity, so targets spread out and keep their phase across restarts) it fetches, parses
/// and hands the samples to the pipeline with the five series Prometheus writes per target
/// (up, scrape_duration_seconds, scrape_samples_scraped, scrape_samples_post_metric_relabeling,
/// scrape_series_added). A target that hangs costs its own timeout and nothing else: every
/// target has its own loop, none runs on the collectors' clock. A failure is logged once when
/// it starts (and when its reason changes), and once when the target recovers.
/// </summary>
public sealed class ScrapeLoop : IAsyncDisposable
{
    private static readonly string[] ReportNames =
        ["up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added"];

    private readonly ScrapeHttp _http;
    private readonly IMetricSink _sink;
    private readonly ILogger _logger;
    private readonly TargetSeries _series;
    private readonly CancellationTokenSource _stop = new();
    private byte[] _buffer = new byte[16 * 1024];
    private string? _failure;
    private bool _reported;
    private Task? _loop;

    public ScrapeLoop(ScrapeTarget target, ScrapeHttp http, IMetricSink sink, ILogger logger)
    {
        Target = target;
        _http = http;
        _sink = sink;
        _logger = logger;
        _series = new TargetSeries(target);
    }

    public ScrapeTarget Target { get; }

    public ScrapeStatus? Last { get; private set; }

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Where in each interval this target is scraped: a hash of its identity, as Prometheus spreads targets.</summary>
    public static TimeSpan Offset(ScrapeTarget target, TimeSpan interval, DateTimeOffset now)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in target.Key)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        var intervalTicks = interval.Ticks;
        var phase = (long)(hash % (ulong)intervalTicks);
        var sinceBoundary = now.UtcTicks % intervalTicks;
        return TimeSpan.FromTicks(((phase - sinceBoundary) % intervalTicks + intervalTicks) % intervalTicks);
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var interval = Target.Settings.IntervalValue;
        try
        {
            await Task.Delay(Offset(Target, interval, DateTimeOffset.UtcNow), ct);
            using var timer = new PeriodicTimer(interval);
            do
            {
                try
                {
                    await ScrapeOnceAsync(ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A bug of ours on one body must not end this target's schedule.
                    _logger.LogError(e, "scrape {Job} {Url}: unexpected error", Target.Job, Target.Url);
                }
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>One scrape, its samples and report series sent to the sink.</summary>
    public async Task<ScrapeStatus> ScrapeOnceAsync(CancellationToken ct)
    {
        var timestampMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var start = Stopwatch.GetTimestamp();
        var (status, length, format, error) = await FetchAsync(ct);
        ScrapeResult result = error is null
            ? _series.Process(_buffer.AsSpan(0, length), format, timestampMs)
            : _series.Fail(error);
        var duration = Stopwatch.GetElapsedTime(start);
        var up = result.Error is null;
        Report(result, up);
        var families = result.Families;
        AddReport(families, up, duration, result);
        _sink.Enqueue(new MetricBatch(Target.Job, timestampMs, families));
        foreach (var batch in result.Timed) _sink.Enqueue(batch);
        _reported = true;
        var last = new ScrapeStatus(up, status, result.PostRelabel, duration, result.Error);
        Last = last;
        return last;
    }

    private async Task<(int Status, int Length, ExpositionFormat Format, string? Error)> FetchAsync(CancellationToken ct)
    {
        var settings = Target.Settings;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(settings.TimeoutValue);
        var status = 0;
        try
        {
            using var response = await _http.GetAsync(Target.Url, deadline.Token);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode) return (status, 0, default, $"HTTP {status} {response.ReasonPhrase}");
            var format = ExpositionContentType.FromMediaType(response.Content.Headers.ContentType?.MediaType);
            await using var raw = await response.Content.ReadAsStreamAsync(deadline.Token);
            await using var stream = IsGzip(response) ? new GZipStream(raw, CompressionMode.Decompress) : raw;
            var length = 0;
            var limit = settings.BodySizeLimit;
            while (true)
            {
                if (length == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
                var read = await stream.ReadAsync(_buffer.AsMemory(length), deadline.Token);
                if (read == 0) break;
                length += read;
                if (limit > 0 && length > limit) return (status, 0, format, $"body larger than body_size_limit ({limit} bytes)");
            }
            return (status, length, format, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (status, 0, default, $"no complete answer within the timeout ({settings.TimeoutValue.TotalSeconds:0.###}s)");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException)
        {
            return (status, 0, default, ErrorText.Of(e));
        }
    }

    private static bool IsGzip(HttpResponseMessage response)
    {
        foreach (var encoding in response.Content.Headers.ContentEncoding)
        {
            if (string.Equals(encoding, "gzip", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    private void AddReport(List<MetricFamily> families, bool up, TimeSpan duration, ScrapeResult result)
    {
        Span<double> values = [up ? 1 : 0, duration.TotalSeconds, result.Scraped, result.PostRelabel, result.SeriesAdded];
        for (var i = 0; i < ReportNames.Length; i++)
        {
            var family = new MetricFamily(ReportNames[i], "", MetricType.Gauge, 1);
            family.Add(Target.Labels, values[i]);
            families.Add(family);
        }
    }

    private void Report(ScrapeResult result, bool up)
    {
        if (up)
        {
            if (_failure is not null) _logger.LogInformation("scrape {Job} {Url}: up again ({Samples} samples)", Target.Job, Target.Url, result.PostRelabel);
            _failure = null;
            return;
        }
        if (_failure != result.Error)
        {
            _logger.LogWarning("scrape {Job} {Url} failed, up 0: {Error}", Target.Job, Target.Url, result.Error);
        }
        _failure = result.Error;
    }

    /// <summary>
    /// Stops scraping. With <paramref name="endSeries"/> (the target was removed, e.g. its
    /// container stopped) every series it had, up included, gets a stale marker; on agent
    /// shutdown they are left alone, so they simply continue after a restart.
    /// </summary>
    public async ValueTask StopAsync(bool endSeries)
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        if (!endSeries || !_reported) return;
        var families = _series.End();
        foreach (var name in ReportNames)
        {
            var family = new MetricFamily(name, "", MetricType.Gauge, 1);
            family.Add(Target.Labels, StaleMarkers.StaleNaN);
            families.Add(family);
        }
        _sink.Enqueue(new MetricBatch(Target.Job, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), families));
        _reported = false;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(endSeries: false);
        _stop.Dispose();
    }
}
