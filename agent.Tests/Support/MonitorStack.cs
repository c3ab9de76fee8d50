using System.Diagnostics;
using System.Text.Json;

namespace Agent.Tests.Support;

/// <summary>
/// The monitor as a user deploys it: packaging/monitor/install.sh writes the bundle under a
/// temporary root, and Debian's prometheus and prometheus-alertmanager and the stock Loki run on
/// those files, on free 127.0.0.1 ports, with alert emails going to an in-test SMTP sink. Only
/// the listen addresses, data directories and SMTP host differ from a real install, and they come
/// in through the same settings a user has (monitor.env, flags, Loki's environment).
/// </summary>
public sealed class MonitorStack : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private MonitorStack(string root) => Root = root;

    public string Root { get; }
    public SmtpSink Smtp { get; private set; } = null!;
    public MetricsBackend Prometheus { get; private set; } = null!;
    public string AlertmanagerUrl { get; private set; } = "";
    public string LokiUrl { get; private set; } = "";
    public string LokiPushUrl => LokiUrl + "/loki/api/v1/push";

    public static async Task<MonitorStack> StartAsync()
    {
        var prometheus = ServerBinary.Require("prometheus");
        var alertmanager = ServerBinary.Require("prometheus-alertmanager");
        ServerBinary.Require("promtool");
        ServerBinary.Require("amtool");
        var loki = ServerBinary.Require("loki", "LOKI_BIN");

        var stack = new MonitorStack(Directory.CreateTempSubdirectory("agent-monitor-").FullName);
        try
        {
            stack.Smtp = new SmtpSink();
            stack._owned.Add(stack.Smtp);
            var amPort = FreePort.Next();
            await RunInstallAsync(stack.Root, new Dictionary<string, string>
            {
                ["SMTP_SMARTHOST"] = $"127.0.0.1:{stack.Smtp.Port}",
                ["SMTP_FROM"] = "alertmanager@monitor.test",
                ["ALERT_EMAIL_TO"] = "ops@monitor.test",
                ["SMTP_REQUIRE_TLS"] = "false",
                ["ALERTMANAGER_ADDRESS"] = $"127.0.0.1:{amPort}",
            });
            var etc = Path.Combine(stack.Root, "etc");

            stack.AlertmanagerUrl = $"http://127.0.0.1:{amPort}";
            var am = ServerProcess.Start(alertmanager,
            [
                $"--config.file={etc}/prometheus/alertmanager.yml",
                $"--storage.path={stack.Root}/alertmanager",
                $"--web.listen-address=127.0.0.1:{amPort}",
                // A single instance: no gossip port on the machine's interfaces.
                "--cluster.listen-address=",
            ], stack.Root);
            stack._owned.Add(am);
            await am.WaitReadyAsync(stack.AlertmanagerUrl + "/-/ready", TimeSpan.FromSeconds(60));

            // The flags Debian's unit takes from /etc/default/prometheus, as install.sh left them.
            var defaults = File.ReadAllLines(Path.Combine(etc, "default", "prometheus"))
                .Single(l => l.StartsWith("ARGS=", StringComparison.Ordinal))["ARGS=".Length..].Trim('"')
                .Split(' ', StringSplitOptions.RemoveEmptyEntries);
            stack.Prometheus = await MetricsBackend.StartPrometheusWithConfigAsync(
                prometheus, Path.Combine(etc, "prometheus", "prometheus.yml"), defaults);
            stack._owned.Add(stack.Prometheus);

            var lokiHttp = FreePort.Next();
            stack.LokiUrl = $"http://127.0.0.1:{lokiHttp}";
            var lokiProcess = ServerProcess.Start(loki,
                [$"-config.file={etc}/loki/loki.yml", "-config.expand-env=true"], stack.Root,
                new Dictionary<string, string>
                {
                    ["LOKI_HTTP_ADDRESS"] = "127.0.0.1",
                    ["LOKI_HTTP_PORT"] = lokiHttp.ToString(),
                    ["LOKI_GRPC_PORT"] = FreePort.Next().ToString(),
                    ["LOKI_DATA_DIR"] = Path.Combine(stack.Root, "loki"),
                });
            stack._owned.Add(lokiProcess);
            await lokiProcess.WaitReadyAsync(stack.LokiUrl + "/ready", TimeSpan.FromSeconds(90));
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>install.sh --root, with monitor.env's values given through the environment.</summary>
    public static async Task RunInstallAsync(string root, IDictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo(Repository.Path("packaging", "monitor", "install.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--root");
        psi.ArgumentList.Add(root);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"install.sh exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }
    }

    /// <summary>A LogQL metric query over the last 10 minutes; returns the number of result series.</summary>
    public async Task<int> LokiSeriesCountAsync(string logql)
    {
        var end = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds() * 1_000_000;
        var start = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds() * 1_000_000;
        var url = $"{LokiUrl}/loki/api/v1/query_range?query={Uri.EscapeDataString(logql)}&start={start}&end={end}&step=60";
        using var response = await _http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Loki refused {logql}: {(int)response.StatusCode} {body}");
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("data").GetProperty("result").GetArrayLength();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
