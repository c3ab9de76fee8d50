using System.Text.Json;

namespace Agent.Tests.Support;

/// <summary>The stock Loki 3.4.6 binary (LOKI_BIN or loki on PATH), single process, on free 127.0.0.1 ports.</summary>
public sealed class LokiServer : IAsyncDisposable
{
    private readonly ServerProcess _process;
    private readonly string _dir;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private LokiServer(ServerProcess process, string baseUrl, string dir)
    {
        _process = process;
        BaseUrl = baseUrl;
        _dir = dir;
    }

    public string BaseUrl { get; }
    public string PushUrl => BaseUrl + "/loki/api/v1/push";
    public string Output => _process.Output;

    /// <param name="limits">Lines of YAML under limits_config (like "max_global_streams_per_user: 3").</param>
    /// <param name="multiTenant">auth_enabled: every push and query needs X-Scope-OrgID.</param>
    /// <param name="httpPort">A port chosen beforehand: a client configured for it meets an outage until Loki starts.</param>
    public static async Task<LokiServer> StartAsync(string limits = "", bool multiTenant = false, int? httpPort = null)
    {
        var binary = ServerBinary.Require("loki", "LOKI_BIN");
        var dir = Directory.CreateTempSubdirectory("agent-loki-").FullName;
        var http = httpPort ?? FreePort.Next();
        var grpc = FreePort.Next();
        var config = Path.Combine(dir, "loki.yaml");
        File.WriteAllText(config, $"""
            auth_enabled: {(multiTenant ? "true" : "false")}
            server:
              http_listen_address: 127.0.0.1
              http_listen_port: {http}
              grpc_listen_address: 127.0.0.1
              grpc_listen_port: {grpc}
              log_level: warn
            common:
              instance_addr: 127.0.0.1
              path_prefix: {dir}
              storage:
                filesystem:
                  chunks_directory: {dir}/chunks
                  rules_directory: {dir}/rules
              replication_factor: 1
              ring:
                kvstore:
                  store: inmemory
            schema_config:
              configs:
                - from: 2020-10-24
                  store: tsdb
                  object_store: filesystem
                  schema: v13
                  index:
                    prefix: index_
                    period: 24h
            analytics:
              reporting_enabled: false
            """ + (limits.Length == 0 ? "" : $"\nlimits_config:\n  {limits.Replace("\n", "\n  ", StringComparison.Ordinal)}\n"));
        var process = ServerProcess.Start(binary, [$"-config.file={config}"], dir);
        var server = new LokiServer(process, $"http://127.0.0.1:{http}", dir);
        await process.WaitReadyAsync(server.BaseUrl + "/ready", TimeSpan.FromSeconds(90));
        return server;
    }

    /// <summary>Lines matching a LogQL selector over the last hour, oldest first.</summary>
    /// <param name="tenant">X-Scope-OrgID of the query (a multi-tenant Loki).</param>
    public Task<List<string>> QueryLinesAsync(string selector, string? tenant = null) => QueryLinesAsync(_http, BaseUrl, selector, tenant);

    /// <summary>The same query against any Loki read path (a distributed Loki's querier).</summary>
    public static async Task<List<string>> QueryLinesAsync(HttpClient http, string baseUrl, string selector, string? tenant = null)
    {
        var end = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds() * 1_000_000;
        var start = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds() * 1_000_000;
        var url = $"{baseUrl}/loki/api/v1/query_range?query={Uri.EscapeDataString(selector)}&start={start}&end={end}&limit=5000&direction=forward";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (tenant is not null) request.Headers.Add("X-Scope-OrgID", tenant);
        using var response = await http.SendAsync(request);
        var json = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{url}: HTTP {(int)response.StatusCode}: {json}");
        using var doc = JsonDocument.Parse(json);
        var lines = new List<(long, string)>();
        foreach (var stream in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            foreach (var value in stream.GetProperty("values").EnumerateArray())
            {
                lines.Add((long.Parse(value[0].GetString()!), value[1].GetString()!));
            }
        }
        return lines.OrderBy(l => l.Item1).Select(l => l.Item2).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
