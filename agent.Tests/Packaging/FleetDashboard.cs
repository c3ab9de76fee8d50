using System.Text.Json;

namespace Agent.Tests.Packaging;

/// <summary>The queries of packaging/monitor's Grafana dashboard, as Grafana would send them.</summary>
internal static class FleetDashboard
{
    public static string File => Support.Repository.Path("packaging", "monitor", "grafana", "dashboards", "fleet.json");

    /// <summary>(data source uid, expression) of every panel target.</summary>
    public static IEnumerable<(string Uid, string Expr)> Targets(JsonElement dashboard)
    {
        foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
        {
            if (!panel.TryGetProperty("targets", out var targets)) continue;
            foreach (var target in targets.EnumerateArray())
            {
                yield return (target.GetProperty("datasource").GetProperty("uid").GetString()!, target.GetProperty("expr").GetString()!);
            }
        }
    }

    /// <summary>Grafana's variables replaced as it does for one host and a 1-minute step.</summary>
    public static string Interpolate(string expr, string host) => expr
        .Replace("$__rate_interval", "1m", StringComparison.Ordinal)
        .Replace("$__interval", "1m", StringComparison.Ordinal)
        .Replace("$host", host, StringComparison.Ordinal);
}
