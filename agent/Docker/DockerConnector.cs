using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Agent.Docker.Engine;

namespace Agent.Docker;

/// <summary>
/// Opens a client to the engine at [containers] docker_host and negotiates the API version as
/// the docker CLI does: the lower of the engine's and ours, so a 20.10 engine (API 1.41) is
/// spoken to in 1.41 and never answers "client version is too new".
/// </summary>
public static class DockerConnector
{
    /// <summary>The newest API (Engine 29) whose answers the parsers were written against.</summary>
    public static readonly Version ClientMaxApi = new(1, 52);

    public static async Task<DockerSession> ConnectAsync(Uri endpoint, CancellationToken ct)
    {
        using var probe = EngineClient.Create(endpoint, api: null);
        // /version is served unversioned by every engine, whatever it speaks.
        using var version = (await probe.GetJsonAsync("/version", ct))!;
        var engineApi = System.Version.TryParse(ContainerInspect.Text(version.RootElement, "ApiVersion"), out var v) ? v : ClientMaxApi;
        var api = engineApi < ClientMaxApi ? engineApi : ClientMaxApi;
        var engineVersion = ContainerInspect.Text(version.RootElement, "Version");
        return new DockerSession(EngineClient.Create(endpoint, api), engineVersion.Length > 0 ? engineVersion : "unknown", api);
    }
}

/// <summary>A connected client and what was negotiated, for the log line and `agent check`.</summary>
public sealed class DockerSession(EngineClient client, string engineVersion, Version apiVersion) : IDisposable
{
    public string EngineVersion { get; } = engineVersion;

    public Version ApiVersion { get; } = apiVersion;

    /// <summary>Ids of every container, running or not.</summary>
    public async Task<List<string>> ListContainerIdsAsync(CancellationToken ct)
    {
        using var list = (await client.GetJsonAsync("/containers/json?all=1", ct))!;
        var ids = new List<string>();
        if (list.RootElement.ValueKind != JsonValueKind.Array) return ids;
        foreach (var container in list.RootElement.EnumerateArray())
        {
            if (ContainerInspect.Text(container, "Id") is { Length: > 0 } id) ids.Add(id);
        }
        return ids;
    }

    /// <summary>The container as the engine describes it now; null once it is gone.</summary>
    public async Task<ContainerRecord?> InspectAsync(string id, CancellationToken ct)
    {
        using var inspect = await client.GetJsonAsync($"/containers/{Uri.EscapeDataString(id)}/json", ct, missingIsNull: true);
        return inspect is null ? null : ContainerInspect.Parse(inspect.RootElement);
    }

    /// <summary>
    /// Container events from <paramref name="sinceUnixSeconds"/> on, as they happen. The
    /// subscription exists once this returns, so what is listed after it misses no event.
    /// </summary>
    public async Task<IAsyncEnumerable<EngineEvent>> SubscribeAsync(long sinceUnixSeconds, CancellationToken ct)
    {
        var filters = Uri.EscapeDataString("{\"type\":{\"container\":true}}");
        var stream = await client.GetStreamAsync($"/events?since={sinceUnixSeconds.ToString(CultureInfo.InvariantCulture)}&filters={filters}", ct);
        return ReadEventsAsync(stream, ct);
    }

    private static async IAsyncEnumerable<EngineEvent> ReadEventsAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length > 0 && EngineEvent.Parse(line) is { } message) yield return message;
        }
    }

    /// <summary>A container's log with Docker's timestamps, from just after <paramref name="since"/> (Docker's since= text, null for all).</summary>
    public async Task<LogFrameReader> LogsAsync(string id, bool tty, bool follow, string? since, CancellationToken ct)
    {
        var path = $"/containers/{Uri.EscapeDataString(id)}/logs?stdout=1&stderr=1&timestamps=1&follow={(follow ? 1 : 0)}"
            + (since is null ? "" : "&since=" + Uri.EscapeDataString(since));
        return new LogFrameReader(await client.GetStreamAsync(path, ct), multiplexed: !tty);
    }

    public void Dispose() => client.Dispose();
}
