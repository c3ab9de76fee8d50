using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Agent.Tests.Support;

/// <summary>
/// Debian's Prometheus behind its own --web.config.file (exporter-toolkit: TLS, client
/// certificates, basic auth) with the remote-write receiver on; queried over the same TLS.
/// </summary>
public sealed class TlsPrometheus : IAsyncDisposable
{
    private readonly ServerProcess _process;
    private readonly string _dir;
    private readonly string _user, _password;
    private HttpClient _http;

    private TlsPrometheus(ServerProcess process, string dir, int port, HttpClient http, string user, string password)
    {
        _process = process;
        _dir = dir;
        Port = port;
        _http = http;
        _user = user;
        _password = password;
    }

    public int Port { get; }
    public string WriteUrl => $"https://127.0.0.1:{Port}/api/v1/write";
    public string Output => _process.Output;

    /// <param name="webConfig">The web config file Prometheus serves with (written by the test).</param>
    /// <param name="ca">The CA that signed Prometheus' certificate, trusted by the test's own queries.</param>
    /// <param name="client">A client certificate for the test's queries when Prometheus requires one.</param>
    /// <param name="scrapeConfigs">YAML list items under scrape_configs.</param>
    public static async Task<TlsPrometheus> StartAsync(string webConfig, X509Certificate2 ca, string user, string password,
        (string Cert, string Key)? client = null, string? scrapeConfigs = null)
    {
        var binary = ServerBinary.Require("prometheus");
        var dir = Directory.CreateTempSubdirectory("agent-prom-tls-").FullName;
        var config = Path.Combine(dir, "prometheus.yml");
        File.WriteAllText(config, "global:\n  scrape_interval: 1s\n" + (scrapeConfigs is null ? "" : $"scrape_configs:\n{scrapeConfigs}"));
        var port = FreePort.Next();
        var process = ServerProcess.Start(binary,
        [
            $"--config.file={config}",
            $"--storage.tsdb.path={dir}/data",
            $"--web.listen-address=127.0.0.1:{port}",
            $"--web.config.file={webConfig}",
            "--web.enable-remote-write-receiver",
        ], dir);
        var http = Client(ca, user, password, client);
        var server = new TlsPrometheus(process, dir, port, http, user, password);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var response = await server._http.GetAsync($"https://127.0.0.1:{port}/-/ready");
                if (response.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                throw new TimeoutException($"prometheus over TLS not ready:\n{process.Output}");
            }
            await Task.Delay(300);
        }
        return server;
    }

    /// <summary>The test's own queries after Prometheus' certificates were rotated to another CA.</summary>
    public void Trust(X509Certificate2 ca, (string Cert, string Key)? client)
    {
        var old = _http;
        _http = Client(ca, _user, _password, client);
        old.Dispose();
    }

    private static HttpClient Client(X509Certificate2 ca, string user, string password, (string Cert, string Key)? client)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            // Trust exactly the test CA: the chain is built against it alone.
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is X509Certificate2 c && chain.Build(c);
        };
        if (client is { } c) handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(c.Cert, c.Key)];
        var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return http;
    }

    /// <summary>Polls an instant query until it returns a series; its first value.</summary>
    public async Task<double> WaitForAsync(string promql, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var json = await _http.GetStringAsync($"https://127.0.0.1:{Port}/api/v1/query?query={Uri.EscapeDataString(promql)}");
            using var doc = JsonDocument.Parse(json);
            var result = doc.RootElement.GetProperty("data").GetProperty("result");
            if (result.GetArrayLength() > 0)
            {
                return double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"`{promql}` returned nothing after {timeout}\n{Output}");
            await Task.Delay(500);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
