using Agent.Collectors.Scrape;
using Agent.Tests.Support;
using Xunit;
using static Agent.Tests.Collectors.Scrape.ScrapeTestTargets;

namespace Agent.Tests.Collectors.Scrape;

/// <summary>
/// The Docker engine's own metrics, the README's example: dockerd started with
/// --metrics-addr 127.0.0.1:9323 (and --experimental on 20.10). .ci/run starts it so.
/// </summary>
public sealed class DockerEngineMetricsTests
{
    public const string Address = "127.0.0.1:9323";

    [Fact]
    public async Task The_engine_metrics_endpoint_scrapes_up()
    {
        await DockerEngine.RequireAsync();
        using (var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(3) })
        {
            try
            {
                using var _ = await probe.GetAsync($"http://{Address}/metrics");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                const string why = $"dockerd metrics not served on {Address} (start dockerd with --metrics-addr {Address} --experimental)";
                if (ServerBinary.InCi) Assert.Fail(why + " (CI=true: .ci/run must pass those flags)");
                Assert.Skip(why);
            }
        }
        var job = Job("docker", TimeSpan.FromSeconds(5));
        var sink = new RecordingSink();
        using var http = new ScrapeHttp(job);
        await using var loop = new ScrapeLoop(Target(job, Address), http, sink, new ListLogger());
        var status = await loop.ScrapeOnceAsync(CancellationToken.None);
        Assert.True(status.Up, status.Error);
        var samples = sink.Samples();
        Assert.Contains(samples, s => s.Name == "engine_daemon_engine_info" && s.Labels.Contains("job=docker") && s.Value == 1);
        Assert.Contains(samples, s => s.Name == "engine_daemon_container_states_containers" && s.Labels.Contains("state=running"));
    }
}
