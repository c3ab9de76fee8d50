using Agent.Config;
using Agent.Docker;
using Agent.Pipeline;

namespace Agent.Collectors.Scrape;

/// <summary>
/// Scrape targets from the Docker tracker's containers, by the prometheus.io/* label
/// convention: a running container labelled prometheus.io/scrape=true is scraped on
/// prometheus.io/port (or its only exposed TCP port), prometheus.io/path and
/// prometheus.io/scheme, as job prometheus.io/job, else its Compose service, else its name.
/// Its series carry container, compose_project and compose_service.
/// </summary>
public static class DockerTargets
{
    public const string ScrapeLabel = "prometheus.io/scrape";
    public const string PortLabel = "prometheus.io/port";
    public const string PathLabel = "prometheus.io/path";
    public const string SchemeLabel = "prometheus.io/scheme";
    public const string JobLabel = "prometheus.io/job";
    private const string ComposeProject = "com.docker.compose.project";
    private const string ComposeService = "com.docker.compose.service";

    /// <param name="skipped">Told about each labelled container that cannot be scraped, and why.</param>
    public static List<ScrapeTarget> From(IReadOnlyList<ContainerRecord> containers, DockerScrapeSection settings, Action<ContainerRecord, string> skipped)
    {
        var targets = new List<ScrapeTarget>();
        foreach (var c in containers)
        {
            if (c.State != "running" || !c.Labels.TryGetValue(ScrapeLabel, out var scrape) || scrape != "true") continue;
            int port;
            if (c.Labels.TryGetValue(PortLabel, out var portText))
            {
                if (!int.TryParse(portText, System.Globalization.CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
                {
                    skipped(c, $"{PortLabel}=\"{portText}\" is not a port number");
                    continue;
                }
            }
            else if (c.Network.Exposed.Count == 1)
            {
                port = c.Network.Exposed[0];
            }
            else
            {
                skipped(c, $"no {PortLabel} label and {c.Network.Exposed.Count} exposed ports");
                continue;
            }
            var address = Address(c.Network, port);
            if (address is null)
            {
                skipped(c, $"no container address nor published port {port}");
                continue;
            }
            var scheme = c.Labels.GetValueOrDefault(SchemeLabel, settings.Scheme);
            var path = c.Labels.GetValueOrDefault(PathLabel, settings.MetricsPath);
            if (!path.StartsWith('/')) path = "/" + path;
            if (scheme is not ("http" or "https") || !Uri.TryCreate($"{scheme}://{address}{path}", UriKind.Absolute, out var url))
            {
                skipped(c, $"\"{scheme}://{address}{path}\" is not an http(s) URL");
                continue;
            }
            var labels = new List<Label> { new("container", c.Name) };
            c.Labels.TryGetValue(ComposeService, out var service);
            if (c.Labels.TryGetValue(ComposeProject, out var project) && project.Length > 0) labels.Add(new Label("compose_project", project));
            if (service is { Length: > 0 }) labels.Add(new Label("compose_service", service));
            var job = c.Labels.GetValueOrDefault(JobLabel, "") is { Length: > 0 } named ? named : service is { Length: > 0 } ? service : c.Name;
            targets.Add(new ScrapeTarget(job, url, settings, labels));
        }
        return targets;
    }

    /// <summary>
    /// Host networking: 127.0.0.1. Otherwise the container's own address (routable from the host
    /// on Linux), else its published port; where container addresses are not routable from the
    /// host (Docker Desktop on macOS and Windows) the published port comes first.
    /// </summary>
    public static string? Address(ContainerNetwork network, int port)
    {
        if (network.Mode == "host") return $"127.0.0.1:{port}";
        string? published = null;
        if (network.Published.TryGetValue(port, out var p))
        {
            var ip = p.HostIp is "" or "0.0.0.0" or "::" ? "127.0.0.1" : p.HostIp;
            published = ip.Contains(':') ? $"[{ip}]:{p.HostPort}" : $"{ip}:{p.HostPort}";
        }
        if (!OperatingSystem.IsLinux() && published is not null) return published;
        if (network.Addresses.Count > 0)
        {
            var ip = network.Addresses[0];
            return ip.Contains(':') ? $"[{ip}]:{port}" : $"{ip}:{port}";
        }
        return published;
    }
}
