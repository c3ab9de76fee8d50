using System.Buffers;
using Agent.Pipeline;
using Agent.Serving;
using Agent.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agent.Hosting;

/// <summary>[http] listen: /metrics (latest cycle + agent_* self-metrics) and /healthz.</summary>
internal sealed class HttpService(
    string listen,
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
        _server = new MetricsServer(endpoint, Write, healthy, logger);
        _server.Start();
        logger.LogInformation("serving /metrics and /healthz on http://{Endpoint}", _server.LocalEndpoint);
        return Task.CompletedTask;
    }

    private string Write(IBufferWriter<byte> body)
    {
        TextFormatWriter.Write(body, latest.Families(), pullLabels);
        TextFormatWriter.Write(body, self.Snapshot(), pullLabels);
        return TextFormatWriter.ContentType;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
