using System.Text.Json;

namespace Agent.Tests.Support;

/// <summary>
/// A stock remote-write receiver (Debian's prometheus or victoria-metrics) on a free
/// 127.0.0.1 port, with the instant-query API both share.
/// </summary>
public sealed class MetricsBackend : IAsyncDisposable
{
    private ServerProcess _process;
    private readonly string _dataDir;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private MetricsBackend(string kind, ServerProcess process, string baseUrl, string writePath, string dataDir)
    {
        Kind = kind;
        _process = process;
        BaseUrl = baseUrl;
        WriteUrl = baseUrl + writePath;
        _dataDir = dataDir;
    }

    public string Kind { get; }
    public string BaseUrl { get; }
    public string WriteUrl { get; }
    public string Output => _process.Output;

    /// <param name="rulesFile">Alerting rules to load, evaluated every second.</param>
    /// <param name="scrapeConfigs">YAML list items for scrape_configs, when the same Prometheus should also scrape directly.</param>
    public static async Task<MetricsBackend> StartPrometheusAsync(string? rulesFile = null, string? scrapeConfigs = null)
    {
        var binary = ServerBinary.Require("prometheus");
        var dir = Directory.CreateTempSubdirectory("agent-prom-").FullName;
        var config = Path.Combine(dir, "prometheus.yml");
        File.WriteAllText(config, (rulesFile is null
            ? "global:\n  scrape_interval: 1h\n"
            : $"global:\n  scrape_interval: 1h\n  evaluation_interval: 1s\nrule_files:\n  - {rulesFile}\n")
            + (scrapeConfigs is null ? "" : $"scrape_configs:\n{scrapeConfigs}"));
        var port = FreePort.Next();
        var process = ServerProcess.Start(binary,
        [
            $"--config.file={config}",
            $"--storage.tsdb.path={dir}/data",
            $"--web.listen-address=127.0.0.1:{port}",
            "--web.enable-remote-write-receiver",
        ], dir);
        var server = new MetricsBackend("prometheus", process, $"http://127.0.0.1:{port}", "/api/v1/write", dir);
        await process.WaitReadyAsync(server.BaseUrl + "/-/ready", TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>Prometheus on a given configuration file (rule files resolve beside it) with extra flags.</summary>
    public static async Task<MetricsBackend> StartPrometheusWithConfigAsync(string binary, string configFile, IEnumerable<string> flags)
    {
        var dir = Directory.CreateTempSubdirectory("agent-prom-").FullName;
        var port = FreePort.Next();
        var process = ServerProcess.Start(binary,
        [
            $"--config.file={configFile}",
            $"--storage.tsdb.path={dir}/data",
            $"--web.listen-address=127.0.0.1:{port}",
            .. flags,
        ], dir);
        var server = new MetricsBackend("prometheus", process, $"http://127.0.0.1:{port}", "/api/v1/write", dir);
        await process.WaitReadyAsync(server.BaseUrl + "/-/ready", TimeSpan.FromSeconds(60));
        return server;
    }

    public static async Task<MetricsBackend> StartVictoriaMetricsAsync()
    {
        var binary = ServerBinary.Require("victoria-metrics");
        var dir = Directory.CreateTempSubdirectory("agent-vm-").FullName;
        var port = FreePort.Next();
        var process = ServerProcess.Start(binary,
        [
            $"-httpListenAddr=127.0.0.1:{port}",
            $"-storageDataPath={dir}/data",
            // Make pushed samples searchable at once instead of after the default cache delay.
            "-search.latencyOffset=0s",
            "-search.disableCache",
        ], dir);
        var server = new MetricsBackend("victoria-metrics", process, $"http://127.0.0.1:{port}", "/api/v1/write", dir);
        await process.WaitReadyAsync(server.BaseUrl + "/health", TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>Stops the server gracefully (SIGTERM), keeping its data for <see cref="RestartAsync"/>.</summary>
    public async Task StopAsync() => await _process.TerminateAsync(TimeSpan.FromSeconds(30));

    /// <summary>Starts the server again on the same port and data directory (Prometheus only).</summary>
    public async Task RestartAsync()
    {
        var port = new Uri(BaseUrl).Port;
        await _process.DisposeAsync();
        _process = ServerProcess.Start(ServerBinary.Require("prometheus"),
        [
            $"--config.file={_dataDir}/prometheus.yml",
            $"--storage.tsdb.path={_dataDir}/data",
            $"--web.listen-address=127.0.0.1:{port}",
            "--web.enable-remote-write-receiver",
        ], _dataDir);
        await _process.WaitReadyAsync(BaseUrl + "/-/ready", TimeSpan.FromSeconds(60));
    }

    /// <summary>An instant query; returns the result vector as (labels, value) pairs.</summary>
    public async Task<List<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        if (Kind == "victoria-metrics")
        {
            using var _ = await _http.GetAsync(BaseUrl + "/internal/force_flush");
        }
        var json = await _http.GetStringAsync($"{BaseUrl}/api/v1/query?query={Uri.EscapeDataString(promql)}");
        using var doc = JsonDocument.Parse(json);
        var result = new List<(Dictionary<string, string>, double)>();
        foreach (var item in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = new Dictionary<string, string>();
            foreach (var p in item.GetProperty("metric").EnumerateObject()) labels[p.Name] = p.Value.GetString()!;
            var value = double.Parse(item.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            result.Add((labels, value));
        }
        return result;
    }

    /// <summary>
    /// A range query ending now, as a Grafana graph panel runs it; returns each series' labels and
    /// how many points it has (series without points are not returned). Fails with Prometheus'
    /// own message when it refuses the query.
    /// </summary>
    public async Task<List<(Dictionary<string, string> Labels, int Points)>> QueryRangeAsync(string promql, TimeSpan range, TimeSpan step)
    {
        var end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var start = end - range.TotalSeconds;
        var url = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{BaseUrl}/api/v1/query_range?query={Uri.EscapeDataString(promql)}&start={start:F3}&end={end:F3}&step={step.TotalSeconds}");
        using var response = await _http.GetAsync(url);
        var json = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{Kind} refused `{promql}`: HTTP {(int)response.StatusCode} {json}");
        using var doc = JsonDocument.Parse(json);
        var result = new List<(Dictionary<string, string>, int)>();
        foreach (var item in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = new Dictionary<string, string>();
            foreach (var p in item.GetProperty("metric").EnumerateObject()) labels[p.Name] = p.Value.GetString()!;
            result.Add((labels, item.GetProperty("values").GetArrayLength()));
        }
        return result;
    }

    /// <summary>The metric names that have series matching <paramref name="selector"/> (the label values API).</summary>
    public async Task<HashSet<string>> MetricNamesAsync(string selector)
    {
        var json = await _http.GetStringAsync($"{BaseUrl}/api/v1/label/__name__/values?match[]={Uri.EscapeDataString(selector)}");
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("data").EnumerateArray().Select(v => v.GetString()!).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Every label set matching a selector within the last <paramref name="window"/> (the series API).</summary>
    public async Task<List<Dictionary<string, string>>> SeriesAsync(string selector, TimeSpan window)
    {
        var end = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var start = end - (long)window.TotalSeconds;
        var json = await _http.GetStringAsync($"{BaseUrl}/api/v1/series?match[]={Uri.EscapeDataString(selector)}&start={start}&end={end}");
        using var doc = JsonDocument.Parse(json);
        var result = new List<Dictionary<string, string>>();
        foreach (var item in doc.RootElement.GetProperty("data").EnumerateArray())
        {
            var labels = new Dictionary<string, string>();
            foreach (var p in item.EnumerateObject()) labels[p.Name] = p.Value.GetString()!;
            result.Add(labels);
        }
        return result;
    }

    /// <summary>Polls a query until it returns at least <paramref name="minResults"/> series.</summary>
    public async Task<List<(Dictionary<string, string> Labels, double Value)>> WaitForAsync(string promql, TimeSpan timeout, int minResults = 1)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var result = await QueryAsync(promql);
            if (result.Count >= minResults) return result;
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Kind}: `{promql}` returned {result.Count} series after {timeout}.\n{Output}");
            }
            await Task.Delay(500);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}
