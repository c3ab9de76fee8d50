using Agent.Collectors.Scrape;
using Agent.Config;
using Agent.Docker;
using Agent.Pipeline;
using Agent.Telemetry;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Scrape;

public sealed class DockerDiscoveryTests
{
    private static ContainerRecord Container(string name, Dictionary<string, string> labels, ContainerNetwork network, string state = "running") =>
        new("id-" + name, name, "img", state, 42, DateTimeOffset.UnixEpoch, 0, false, 0, false, labels) { Network = network };

    private static readonly ContainerNetwork Bridge = new("bridge", ["172.17.0.5"], new Dictionary<int, PublishedPort> { [9100] = new("0.0.0.0", 19100) }, [9100]);

    [Fact]
    public void Labelled_running_containers_become_targets_with_their_names_and_compose_labels()
    {
        var settings = new DockerScrapeSection();
        var skipped = new List<string>();
        var targets = DockerTargets.From(
        [
            Container("web", new() { ["prometheus.io/scrape"] = "true", ["com.docker.compose.project"] = "shop", ["com.docker.compose.service"] = "api" }, Bridge),
            Container("custom", new() { ["prometheus.io/scrape"] = "true", ["prometheus.io/port"] = "8080", ["prometheus.io/path"] = "stats", ["prometheus.io/job"] = "billing" }, Bridge),
            Container("hostnet", new() { ["prometheus.io/scrape"] = "true", ["prometheus.io/port"] = "9323" }, new ContainerNetwork("host", [], new Dictionary<int, PublishedPort>(), [])),
            Container("unlabelled", new(), Bridge),
            Container("off", new() { ["prometheus.io/scrape"] = "false" }, Bridge),
            Container("stopped", new() { ["prometheus.io/scrape"] = "true" }, Bridge, state: "exited"),
            Container("ambiguous", new() { ["prometheus.io/scrape"] = "true" }, Bridge with { Exposed = [80, 443] }),
            Container("badport", new() { ["prometheus.io/scrape"] = "true", ["prometheus.io/port"] = "http" }, Bridge),
        ], settings, (c, why) => skipped.Add($"{c.Name}: {why}"));

        Assert.Equal(["http://172.17.0.5:9100/metrics", "http://172.17.0.5:8080/stats", "http://127.0.0.1:9323/metrics"], targets.Select(t => t.Url.AbsoluteUri));
        Assert.Equal(["api", "billing", "hostnet"], targets.Select(t => t.Job));
        Assert.Equal([new Label("compose_project", "shop"), new Label("compose_service", "api"), new Label("container", "web"),
            new Label("instance", "172.17.0.5:9100"), new Label("job", "api")], targets[0].Labels);
        Assert.Equal(["ambiguous: no prometheus.io/port label and 2 exposed ports", "badport: prometheus.io/port=\"http\" is not a port number"], skipped);
    }

    [Fact]
    public void Published_ports_are_used_when_the_container_has_no_address_of_its_own()
    {
        var published = new ContainerNetwork("bridge", [], new Dictionary<int, PublishedPort> { [9100] = new("0.0.0.0", 19100) }, [9100]);
        Assert.Equal("127.0.0.1:19100", DockerTargets.Address(published, 9100));
        Assert.Null(DockerTargets.Address(published, 8080));
        Assert.Equal("172.17.0.5:9100", DockerTargets.Address(Bridge, 9100));
    }

    [Fact]
    public async Task A_busybox_httpd_container_is_found_without_configuration_and_leaves_stale_markers_when_stopped()
    {
        await DockerEngine.RequireAsync();
        var config = ConfigLoader.Parse("[agent]\ninterval = \"1s\"\n", "agent.toml", _ => null);
        Assert.True(ScrapeManager.Wanted(config));
        var name = DockerEngine.UniqueName("agent-scrape");
        var quiet = DockerEngine.UniqueName("agent-noscrape");
        await using var tracker = new ContainerTracker(DockerEngine.Endpoint, new SelfMetrics(), new ListLogger());
        var sink = new RecordingSink();
        var log = new ListLogger();
        try
        {
            const string serve = "mkdir -p /tmp/www && printf '# TYPE demo_value gauge\\ndemo_value{kind=\"static\"} 42\\n' > /tmp/www/metrics && exec /bin/busybox httpd -f -p 9100 -h /tmp/www";
            await DockerEngine.RunCheckedAsync(["run", "-d", "--name", quiet, DockerEngine.Image, "sh", "-c", serve]);
            tracker.Start();
            await tracker.FirstSync;
            await using var manager = new ScrapeManager(config, sink, log, tracker);
            manager.Start();
            await DockerEngine.RunCheckedAsync(["run", "-d", "--name", name,
                "--label", "prometheus.io/scrape=true", "--label", "prometheus.io/port=9100",
                "--label", "com.docker.compose.project=shop", "--label", "com.docker.compose.service=demo",
                DockerEngine.Image, "sh", "-c", serve]);
            var ip = await DockerEngine.RunCheckedAsync(["inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", name]);

            var expected = $"compose_project=shop,compose_service=demo,container={name},instance={ip}:9100,job=demo,kind=static";
            await WaitAsync(() => sink.Samples().Any(s => s.Name == "demo_value" && s.Labels == expected && s.Value == 42), "demo_value from the container", log);
            Assert.Contains(sink.Samples(), s => s.Name == "up" && s.Labels.Contains($"container={name}") && s.Value == 1);
            Assert.DoesNotContain(sink.Batches, b => b.Families.Any(f => f.Samples.Any(s => s.Labels.Any(l => l.Value == quiet))));

            // `agent check` finds it the same way and scrapes it once.
            var dir = Directory.CreateTempSubdirectory("agent-check-docker-").FullName;
            try
            {
                var path = Path.Combine(dir, "agent.toml");
                File.WriteAllText(path, $"[agent]\ndata_dir = \"{dir}/data\"\n[host]\nenabled = false\n[process]\nenabled = false\n");
                var (_, stdout, _) = await AgentProcess.RunAsync(["check", "--config", path]);
                Assert.Matches($@"PASS  scrape demo +http://{ip}:9100/metrics: HTTP 200, 1 samples in \d+ ms", stdout);
                Assert.DoesNotContain(quiet, stdout);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }

            await DockerEngine.RunCheckedAsync(["stop", "-t", "1", name]);
            await WaitAsync(() => sink.Samples().Any(s => s.Name == "demo_value" && s.Labels == expected && StaleMarkers.IsStale(s.Value)), "a stale marker for demo_value", log);
            // Once the engine reports it stopped, the target goes and even its up series ends.
            static bool Ends(MetricBatch b) => b.Families.Any(f => f.Name == "up" && StaleMarkers.IsStale(f.Samples[0].Value));
            await WaitAsync(() => sink.Batches.Any(Ends), "a stale marker for up", log);
            Assert.All(sink.Batches.Single(Ends).Families.SelectMany(f => f.Samples), s => Assert.True(StaleMarkers.IsStale(s.Value)));
            Assert.Empty(manager.Loops);
            Assert.Contains(log.Messages, l => l.Contains("container gone, series ended"));
        }
        finally
        {
            await DockerEngine.RemoveAsync(name, quiet);
        }
    }

    private static async Task WaitAsync(Func<bool> condition, string what, ListLogger log)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"no {what} within 30 s\n{string.Join("\n", log.Messages)}");
            await Task.Delay(200);
        }
    }
}
