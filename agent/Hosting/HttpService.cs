using System.Buffers;
using Agent.Pipeline;
using Agent.Serving;
using Agent.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agent.Hosting;

/// <summary>[http] listen: /metrics (latest cycle + agent_* self-metrics) and /healthz, behind web_config_file when set.</summary>
internal sealed class HttpService(
    string listen,
    string webConfigFile,
    Label[] pullLabels,
    LatestMetrics latest,
    SelfMetrics self,
    Func<bool> healthy,
    ILogger<HttpService> logger) : IHostedService
{
    private MetricsServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (listen.Length == 0) return Task.CompletedTask;
        if (!MetricsServer.TryParseListen(listen, out var endpoint))
        {
            throw new IOException($"http.listen \"{listen}\" is not a valid address");
        }
        var guard = webConfigFile.Length > 0 ? new Serving.Web.WebGuard(webConfigFile, logger) : null;
        _server = new MetricsServer(endpoint, Write, healthy, logger, guard: guard);
        _server.Start();
        logger.LogInformation("serving /metrics and /healthz on {Scheme}://{Endpoint}{Protection}", guard?.UsesTls == true ? "https" : "http", _server.LocalEndpoint,
            guard is null ? "" : $" (web config {webConfigFile})");
        return Task.CompletedTask;
    }

    private string Write(IBufferWriter<byte> body)
    {
        var families = latest.Families();
        TextFormatWriter.Write(body, families, pullLabels);
        TextFormatWriter.Write(body, NotIn(self.Snapshot(), families), pullLabels);
        return TextFormatWriter.ContentType;
    }

    /// <summary>
    /// Job node carries the agent's process_* as node_exporter carries its own, and so does the
    /// self batch: a scrape of this one process shows each family once.
    /// </summary>
    private static List<MetricFamily> NotIn(IReadOnlyList<MetricFamily> self, IReadOnlyList<MetricFamily> shown)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var family in shown) names.Add(family.Name);
        var rest = new List<MetricFamily>(self.Count);
        foreach (var family in self)
        {
            if (!names.Contains(family.Name)) rest.Add(family);
        }
        return rest;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
