namespace Agent.Tests.Support;

/// <summary>
/// Stock Loki 3.4.6 run as a cluster on loopback in simple scalable mode: one process per
/// target (write: distributor + ingester, read: query frontend + querier, backend: scheduler,
/// compactor, index gateway), joined by a memberlist ring on 127.0.0.1 and sharing one
/// filesystem object store. The write process can be restarted on its own, as an operator
/// rolls a node of a real cluster.
/// </summary>
public sealed class LokiCluster : IAsyncDisposable
{
    private static readonly string[] Targets = ["backend", "write", "read"];

    private readonly string _binary;
    private readonly string _dir;
    private readonly Dictionary<string, (int Http, string Config)> _nodes = [];
    private readonly Dictionary<string, ServerProcess> _processes = [];

    private LokiCluster(string binary, string dir)
    {
        _binary = binary;
        _dir = dir;
    }

    public string PushUrl => $"http://127.0.0.1:{_nodes["write"].Http}/loki/api/v1/push";
    public string ReadUrl => $"http://127.0.0.1:{_nodes["read"].Http}";

    public string Output => string.Join("\n", _processes.Select(p => $"== {p.Key}\n{p.Value.Output}"));

    public static async Task<LokiCluster> StartAsync()
    {
        var binary = ServerBinary.Require("loki", "LOKI_BIN");
        var dir = Directory.CreateTempSubdirectory("agent-loki-cluster-").FullName;
        var cluster = new LokiCluster(binary, dir);
        var ports = Targets.ToDictionary(t => t, _ => (Http: FreePort.Next(), Grpc: FreePort.Next(), Gossip: FreePort.Next()));
        var members = string.Join(", ", ports.Values.Select(p => $"127.0.0.1:{p.Gossip}"));
        foreach (var target in Targets)
        {
            var (http, grpc, gossip) = ports[target];
            var config = Path.Combine(dir, $"{target}.yaml");
            File.WriteAllText(config, $"""
                auth_enabled: false
                server:
                  http_listen_address: 127.0.0.1
                  http_listen_port: {http}
                  grpc_listen_address: 127.0.0.1
                  grpc_listen_port: {grpc}
                  log_level: warn
                common:
                  instance_addr: 127.0.0.1
                  path_prefix: {dir}/{target}
                  storage:
                    filesystem:
                      chunks_directory: {dir}/shared/chunks
                      rules_directory: {dir}/shared/rules
                  replication_factor: 1
                  ring:
                    kvstore:
                      store: memberlist
                  compactor_address: http://127.0.0.1:{ports["backend"].Http}
                memberlist:
                  bind_addr: [127.0.0.1]
                  bind_port: {gossip}
                  advertise_addr: 127.0.0.1
                  advertise_port: {gossip}
                  join_members: [{members}]
                ingester:
                  lifecycler:
                    min_ready_duration: 0s
                    final_sleep: 0s
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
                """);
            cluster._nodes[target] = (http, config);
        }
        try
        {
            foreach (var target in Targets) cluster.Launch(target);
            foreach (var target in Targets) await cluster.WaitReadyAsync(target);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    private void Launch(string target) =>
        _processes[target] = ServerProcess.Start(_binary, [$"-config.file={_nodes[target].Config}", $"-target={target}"], _dir);

    private Task WaitReadyAsync(string target) =>
        _processes[target].WaitReadyAsync($"http://127.0.0.1:{_nodes[target].Http}/ready", TimeSpan.FromSeconds(120));

    /// <summary>SIGTERM to the write process, then the same binary and config again: its WAL is replayed.</summary>
    public async Task RestartWriteAsync(TimeSpan down)
    {
        var old = _processes["write"];
        await old.TerminateAsync(TimeSpan.FromSeconds(30));
        await old.DisposeAsync();
        await Task.Delay(down);
        Launch("write");
        await WaitReadyAsync("write");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes.Values) await process.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
