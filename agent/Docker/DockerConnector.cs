using Docker.DotNet;

namespace Agent.Docker;

/// <summary>
/// Opens a client to the engine at [containers] docker_host and negotiates the API version as
/// the docker CLI does: the lower of the engine's and ours, so a 20.10 engine (API 1.41) is
/// spoken to in 1.41 and never answers "client version is too new".
/// </summary>
public static class DockerConnector
{
    /// <summary>Docker.DotNet.Enhanced 4.3 is generated from Engine 29 (API 1.52).</summary>
    public static readonly Version ClientMaxApi = new(1, 52);

    public static async Task<DockerSession> ConnectAsync(Uri endpoint, CancellationToken ct)
    {
        using (var probe = Builder(endpoint).Build())
        {
            // /version is served unversioned by every engine, whatever it speaks.
            var version = await probe.System.GetVersionAsync(ct);
            var engineApi = System.Version.TryParse(version.APIVersion, out var v) ? v : ClientMaxApi;
            var api = engineApi < ClientMaxApi ? engineApi : ClientMaxApi;
            return new DockerSession(Builder(endpoint).WithApiVersion(api).Build(), version.Version ?? "unknown", api);
        }
    }

    private static DockerClientBuilder Builder(Uri endpoint) => new DockerClientBuilder().WithEndpoint(endpoint);
}

/// <summary>A connected client and what was negotiated, for the log line and `agent check`.</summary>
public sealed record DockerSession(DockerClient Client, string EngineVersion, System.Version ApiVersion) : IDisposable
{
    public void Dispose() => Client.Dispose();
}
