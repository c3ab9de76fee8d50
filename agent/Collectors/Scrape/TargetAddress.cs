namespace Agent.Collectors.Scrape;

/// <summary>How a configured target becomes a URL, and a URL an instance label.</summary>
public static class TargetAddress
{
    /// <summary>
    /// "host:port" gets scheme and metrics_path, as a Prometheus static target does; a full
    /// http(s) URL is taken as it is, except that a bare "/" path means metrics_path.
    /// </summary>
    public static bool TryParse(string target, string scheme, string metricsPath, out Uri url, out string error)
    {
        url = null!;
        error = "";
        if (target.Length == 0)
        {
            error = "empty target";
            return false;
        }
        var text = target.Contains("://", StringComparison.Ordinal) ? target : $"{scheme}://{target}{metricsPath}";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") || parsed.Host.Length == 0)
        {
            error = "not \"host:port\" nor an absolute http(s) URL";
            return false;
        }
        if (!target.Contains("://", StringComparison.Ordinal) && parsed.IsDefaultPort && !target.EndsWith($":{parsed.Port}", StringComparison.Ordinal))
        {
            error = "needs a port (\"host:port\")";
            return false;
        }
        if (parsed.AbsolutePath == "/" && parsed.Query.Length == 0 && target.Contains("://", StringComparison.Ordinal) && !target.EndsWith('/'))
        {
            parsed = new Uri(parsed, metricsPath);
        }
        url = parsed;
        return true;
    }

    /// <summary>host:port, with the scheme's port when the URL has none (Prometheus adds it too).</summary>
    public static string Instance(Uri url) => $"{url.Host}:{url.Port}";
}
