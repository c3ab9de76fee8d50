using System.Globalization;
using System.Text.Json;

namespace Agent.Docker.Engine;

/// <summary>GET /containers/{id}/json, read into what the agent keeps of a container.</summary>
public static class ContainerInspect
{
    private static readonly IReadOnlyDictionary<string, string> EmptyLabels = new Dictionary<string, string>();

    public static ContainerRecord Parse(JsonElement c)
    {
        var config = Member(c, "Config");
        var state = Member(c, "State");
        var started = ParseTime(Text(state, "StartedAt"), out var s) ? s : DateTimeOffset.MinValue;
        var finishedNs = ParseTime(Text(state, "FinishedAt"), out var f) ? (f.UtcDateTime - DateTime.UnixEpoch).Ticks * 100 : 0;
        var image = Text(config, "Image");
        return new ContainerRecord(
            Text(c, "Id"),
            Text(c, "Name").TrimStart('/'),
            image.Length > 0 ? image : Text(c, "Image"),
            Text(state, "Status") is { Length: > 0 } status ? status : "unknown",
            (int)Number(state, "Pid"),
            started,
            Number(state, "ExitCode"),
            Flag(state, "OOMKilled"),
            Number(c, "RestartCount"),
            Flag(config, "Tty"),
            StringMap(Member(config, "Labels")))
        {
            FinishedAtNs = finishedNs,
            Network = NetworkOf(c, config),
            UpperDir = Text(Member(Member(c, "GraphDriver"), "Data"), "UpperDir"),
            LogPath = Text(c, "LogPath"),
        };
    }

    /// <summary>Docker writes 0001-01-01T00:00:00Z for "never".</summary>
    private static bool ParseTime(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value) && value.Year > 1;

    private static ContainerNetwork NetworkOf(JsonElement c, JsonElement config)
    {
        var settings = Member(c, "NetworkSettings");
        var addresses = new List<string>();
        if (Member(settings, "Networks") is { ValueKind: JsonValueKind.Object } networks)
        {
            var names = new List<(string Name, string Ip)>();
            foreach (var network in networks.EnumerateObject()) names.Add((network.Name, Text(network.Value, "IPAddress")));
            names.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (var (_, ip) in names)
            {
                if (ip.Length > 0) addresses.Add(ip);
            }
        }
        var published = new Dictionary<int, PublishedPort>();
        if (Member(settings, "Ports") is { ValueKind: JsonValueKind.Object } ports)
        {
            foreach (var spec in ports.EnumerateObject())
            {
                if (spec.Value.ValueKind != JsonValueKind.Array || spec.Value.GetArrayLength() == 0 || !TryTcpPort(spec.Name, out var port)) continue;
                var binding = spec.Value[0];
                if (int.TryParse(Text(binding, "HostPort"), CultureInfo.InvariantCulture, out var hostPort)) published[port] = new PublishedPort(Text(binding, "HostIp"), hostPort);
            }
        }
        var exposed = new List<int>();
        if (Member(config, "ExposedPorts") is { ValueKind: JsonValueKind.Object } declared)
        {
            foreach (var spec in declared.EnumerateObject())
            {
                if (TryTcpPort(spec.Name, out var port)) exposed.Add(port);
            }
            exposed.Sort();
        }
        return new ContainerNetwork(Text(Member(c, "HostConfig"), "NetworkMode"), addresses, published, exposed);
    }

    /// <summary>"9100/tcp" → 9100; UDP and SCTP ports cannot serve HTTP.</summary>
    private static bool TryTcpPort(string spec, out int port)
    {
        var slash = spec.IndexOf('/');
        port = 0;
        return (slash < 0 || spec.AsSpan(slash + 1).SequenceEqual("tcp"))
            && int.TryParse(slash < 0 ? spec : spec[..slash], CultureInfo.InvariantCulture, out port);
    }

    private static IReadOnlyDictionary<string, string> StringMap(JsonElement map)
    {
        if (map.ValueKind != JsonValueKind.Object) return EmptyLabels;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in map.EnumerateObject())
        {
            if (label.Value.ValueKind == JsonValueKind.String) labels[label.Name] = label.Value.GetString()!;
        }
        return labels;
    }

    /// <summary>The member, or an undefined element when it is absent, null or the parent is not an object.</summary>
    internal static JsonElement Member(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) ? value : default;

    internal static string Text(JsonElement parent, string name) =>
        Member(parent, name) is { ValueKind: JsonValueKind.String } value ? value.GetString()! : "";

    private static long Number(JsonElement parent, string name) =>
        Member(parent, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var n) ? n : 0;

    private static bool Flag(JsonElement parent, string name) => Member(parent, name).ValueKind == JsonValueKind.True;
}
