using System.Text.Json;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Packaging;

/// <summary>
/// packaging/monitor as the stock tools read it: promtool (config, rules and the rules' unit
/// tests), amtool, Loki's own config check, and the Grafana files' references.
/// </summary>
public sealed class MonitorBundleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-bundle-").FullName;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    private static Dictionary<string, string> MonitorEnv(string from = "alertmanager@example.org") => new()
    {
        ["SMTP_SMARTHOST"] = "smtp.example.org:587",
        ["SMTP_FROM"] = from,
        ["ALERT_EMAIL_TO"] = "ops@example.org",
    };

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Installed_bundle_passes_promtool_and_amtool()
    {
        var promtool = ServerBinary.Require("promtool");
        var amtool = ServerBinary.Require("amtool");
        await MonitorStack.RunInstallAsync(_dir, MonitorEnv());

        var config = await Command.RunCheckedAsync(promtool, ["check", "config", $"{_dir}/etc/prometheus/prometheus.yml"], Timeout);
        Assert.Contains("SUCCESS: 3 rule files found", config);
        await Command.RunCheckedAsync(amtool, ["check-config", $"{_dir}/etc/prometheus/alertmanager.yml"], Timeout);
        // The receiver flag Debian's unit passes from /etc/default/prometheus.
        Assert.Contains("--web.enable-remote-write-receiver", File.ReadAllText($"{_dir}/etc/default/prometheus"));
        // NodeDown and every email route: what the seed's users had, in push mode.
        var routes = await Command.RunCheckedAsync(amtool,
            ["config", "routes", "test", $"--config.file={_dir}/etc/prometheus/alertmanager.yml", "alertname=NodeDown", "host=web-1"], Timeout);
        Assert.Equal("email", routes.Trim());
    }

    [Fact]
    public async Task Alert_rules_pass_their_unit_tests()
    {
        var promtool = ServerBinary.Require("promtool");
        var tests = Directory.GetFiles(Repository.Path("packaging", "monitor", "tests"), "*.test.yml").Order().ToArray();
        Assert.Equal(["agent.test.yml", "containers.test.yml", "node-forget.test.yml", "node.test.yml"], tests.Select(Path.GetFileName));
        var output = await Command.RunCheckedAsync(promtool, ["test", "rules", .. tests], Timeout);
        Assert.DoesNotContain("FAILED", output);
    }

    [Fact]
    public async Task Every_rule_of_the_seed_set_is_there()
    {
        var promtool = ServerBinary.Require("promtool");
        var names = new List<string>();
        foreach (var file in new[] { "node.rules.yml", "containers.rules.yml", "agent.rules.yml" })
        {
            var path = Repository.Path("packaging", "monitor", file);
            await Command.RunCheckedAsync(promtool, ["check", "rules", path], Timeout);
            names.AddRange(File.ReadAllLines(path).Select(l => l.Trim())
                .Where(l => l.StartsWith("- alert: ", StringComparison.Ordinal)).Select(l => l["- alert: ".Length..]));
        }
        Assert.Subset(names.ToHashSet(), new HashSet<string> { "NodeDown", "HighCPU", "HighMemory", "HighDisk", "CriticalDisk", "ContainerDown" });
    }

    [Fact]
    public async Task Alertmanager_config_keeps_quotes_and_backslashes_of_smtp_values_literal()
    {
        var amtool = ServerBinary.Require("amtool");
        var env = MonitorEnv();
        env["SMTP_AUTH_USERNAME"] = "ops";
        env["SMTP_AUTH_PASSWORD"] = "p\"a\\ss&1";
        await MonitorStack.RunInstallAsync(_dir, env);
        var file = $"{_dir}/etc/prometheus/alertmanager.yml";
        await Command.RunCheckedAsync(amtool, ["check-config", file], Timeout);
        Assert.Contains("smtp_auth_password: \"p\\\"a\\\\ss&1\"", File.ReadAllText(file));
    }

    [Fact]
    public async Task Rendering_without_smtp_settings_names_what_is_missing()
    {
        var (code, _, stderr) = await Command.RunAsync(Repository.Path("packaging", "monitor", "render-alertmanager.sh"),
            [$"{_dir}/alertmanager.yml"], Timeout,
            new Dictionary<string, string> { ["SMTP_SMARTHOST"] = "", ["SMTP_FROM"] = "", ["ALERT_EMAIL_TO"] = "" });
        Assert.Equal(2, code);
        Assert.Contains("set SMTP_SMARTHOST SMTP_FROM ALERT_EMAIL_TO", stderr);
        Assert.False(File.Exists($"{_dir}/alertmanager.yml"));
    }

    [Fact]
    public async Task Loki_accepts_the_bundled_config()
    {
        var loki = ServerBinary.Require("loki", "LOKI_BIN");
        var (code, stdout, stderr) = await Command.RunAsync(loki,
            [$"-config.file={Repository.Path("packaging", "monitor", "loki.yml")}", "-config.expand-env=true", "-verify-config"],
            Timeout, new Dictionary<string, string> { ["LOKI_DATA_DIR"] = _dir });
        Assert.True(code == 0, stdout + stderr);
    }

    [Fact]
    public void Fleet_dashboard_uses_only_the_provisioned_data_sources()
    {
        var provisioned = File.ReadAllText(Repository.Path("packaging", "monitor", "grafana", "provisioning", "datasources", "agent.yml"));
        using var doc = JsonDocument.Parse(File.ReadAllText(Repository.Path("packaging", "monitor", "grafana", "dashboards", "fleet.json")));
        var targets = FleetDashboard.Targets(doc.RootElement).ToList();
        Assert.True(targets.Count >= 12, $"{targets.Count} queries");
        foreach (var (uid, expr) in targets)
        {
            Assert.Contains($"uid: {uid}", provisioned);
            Assert.False(string.IsNullOrWhiteSpace(expr));
        }
        var ids = doc.RootElement.GetProperty("panels").EnumerateArray().Select(p => p.GetProperty("id").GetInt32()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
