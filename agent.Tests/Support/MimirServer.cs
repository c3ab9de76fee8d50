using System.Text.Json;

namespace Agent.Tests.Support;

/// <summary>
/// Stock Grafana Mimir 2.15.0 (MIMIR_BIN or mimir on PATH; .ci/run unpacks it from
/// ../shared/tools), all targets in one process, multi-tenant, on free 127.0.0.1 ports, with
/// per-tenant limits from a runtime config file.
/// </summary>
public sealed class MimirServer : IAsyncDisposable
{
    private readonly ServerProcess _process;
    private readonly string _dir;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private MimirServer(ServerProcess process, string baseUrl, string dir)
    {
        _process = process;
        BaseUrl = baseUrl;
        _dir = dir;
    }

    public string BaseUrl { get; }
    public string PushUrl => BaseUrl + "/api/v1/push";
    public string Output => _process.Output;

    /// <param name="overrides">YAML under runtime config's overrides: (tenant: {{ ingestion_rate: 100 }}).</param>
    public static async Task<MimirServer> StartAsync(string overrides = "")
    {
        var binary = ServerBinary.Require("mimir", "MIMIR_BIN");
        var dir = Directory.CreateTempSubdirectory("agent-mimir-").FullName;
        var http = FreePort.Next();
        var grpc = FreePort.Next();
        var runtime = Path.Combine(dir, "runtime.yaml");
        File.WriteAllText(runtime, overrides.Length == 0 ? "overrides: {}\n" : $"overrides:\n  {overrides.Replace("\n", "\n  ", StringComparison.Ordinal)}\n");
        // In-memory rings advertising loopback: otherwise memberlist and the machine's interface address.
        const string ring = "    kvstore:\n      store: inmemory\n    instance_addr: 127.0.0.1";
        var config = Path.Combine(dir, "mimir.yaml");
        File.WriteAllText(config, $"""
            target: all
            multitenancy_enabled: true
            usage_stats:
              enabled: false
            server:
              http_listen_address: 127.0.0.1
              http_listen_port: {http}
              grpc_listen_address: 127.0.0.1
              grpc_listen_port: {grpc}
              log_level: warn
            runtime_config:
              file: {runtime}
            blocks_storage:
              backend: filesystem
              filesystem:
                dir: {dir}/blocks
              tsdb:
                dir: {dir}/tsdb
              bucket_store:
                sync_dir: {dir}/tsdb-sync
            ruler_storage:
              backend: filesystem
              filesystem:
                dir: {dir}/rules
            ruler:
              rule_path: {dir}/ruler
              ring:
            {ring}
            compactor:
              data_dir: {dir}/compactor
              sharding_ring:
            {ring}
            activity_tracker:
              filepath: {dir}/activity.log
            distributor:
              ring:
            {ring}
            ingester:
              ring:
            {ring}
                replication_factor: 1
                min_ready_duration: 0s
                final_sleep: 0s
            store_gateway:
              sharding_ring:
            {ring}
                replication_factor: 1
            """);
        var process = ServerProcess.Start(binary, [$"-config.file={config}"], dir);
        var server = new MimirServer(process, $"http://127.0.0.1:{http}", dir);
        try
        {
            await process.WaitReadyAsync(server.BaseUrl + "/ready", TimeSpan.FromSeconds(90));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>An instant query as <paramref name="tenant"/>: (labels, value) per series.</summary>
    public async Task<List<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string tenant, string promql)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{BaseUrl}/prometheus/api/v1/query?query={Uri.EscapeDataString(promql)}");
        request.Headers.Add("X-Scope-OrgID", tenant);
        using var response = await _http.SendAsync(request);
        var json = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"mimir query as {tenant}: HTTP {(int)response.StatusCode}: {json}");
        using var doc = JsonDocument.Parse(json);
        var result = new List<(Dictionary<string, string>, double)>();
        foreach (var item in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = new Dictionary<string, string>();
            foreach (var p in item.GetProperty("metric").EnumerateObject()) labels[p.Name] = p.Value.GetString()!;
            result.Add((labels, double.Parse(item.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture)));
        }
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
