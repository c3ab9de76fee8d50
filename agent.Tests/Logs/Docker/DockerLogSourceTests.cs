using System.Text.RegularExpressions;
using Agent.Config;
using Agent.Pipeline;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Logs.Docker;

/// <summary>The container log source against the real engine, delivering to the in-test Loki receiver.</summary>
public sealed partial class DockerLogSourceTests : IAsyncLifetime
{
    private const string NumberedScript = "i=0; while [ $i -lt 2000 ]; do i=$((i+1)); echo \"out $i\"; echo \"err $i\" >&2; done; sleep 600";
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-dlogs-").FullName;
    private readonly LokiReceiver _receiver = new();
    private readonly List<string> _containers = [];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await DockerEngine.RemoveAsync([.. _containers]);
        await _receiver.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<ContainerLogPipeline> StartAsync(Action<LogsSection>? configure = null, string? pushUrl = null, string dataDir = "data") =>
        ContainerLogPipeline.StartAsync(Path.Combine(_dir, dataDir), pushUrl ?? _receiver.PushUrl, configure);

    private async Task<string> RunContainerAsync(string prefix, IEnumerable<string> options, params string[] command)
    {
        var name = DockerEngine.UniqueName(prefix);
        _containers.Add(name);
        await DockerEngine.RunCheckedAsync(["run", "-d", "--init", "--name", name, .. options, DockerEngine.Image, .. command]);
        return name;
    }

    private List<(string Stream, long TimestampNs, string Line)> Of(string container) =>
        _receiver.Accepted.Where(a => a.Stream.Contains($"container=\"{container}\"", StringComparison.Ordinal)).ToList();

    private async Task<List<(string Stream, long TimestampNs, string Line)>> WaitForAsync(string container, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var lines = Of(container);
            if (lines.Count >= count) return lines;
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{lines.Count} of {count} lines of {container} after {timeout}; rejections: {string.Join("; ", _receiver.Rejections)}");
            }
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Stdout_and_stderr_arrive_demultiplexed_in_order_with_labels_and_nothing_missing()
    {
        await DockerEngine.RequireAsync();
        await using var pipeline = await StartAsync();
        // Started after the source: read from its beginning although this is a first start with read_from "end".
        var name = await RunContainerAsync("dlog-num", [], "sh", "-c", NumberedScript);
        var lines = await WaitForAsync(name, 4000, TimeSpan.FromSeconds(60));

        Assert.Empty(_receiver.Rejections);
        Assert.Equal(4000, lines.Count);
        foreach (var (target, prefix) in new[] { ("stdout", "out"), ("stderr", "err") })
        {
            var ofStream = lines.Where(l => l.Stream.Contains($"stream=\"{target}\"", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(1, 2000).Select(i => $"{prefix} {i}"), ofStream.Select(l => l.Line));
            Assert.True(ofStream.Zip(ofStream.Skip(1)).All(p => p.First.TimestampNs <= p.Second.TimestampNs), $"{target} timestamps go backwards");
            var labels = ofStream[0].Stream;
            Assert.Contains($"container=\"{name}\"", labels);
            Assert.Contains($"image=\"{DockerEngine.Image}\"", labels);
            Assert.Contains("job=\"docker\"", labels);
            Assert.Contains("host=\"h1\"", labels);
            Assert.Contains("environment=\"test\"", labels);
            Assert.DoesNotContain("compose_", labels);
        }
        // Docker's own timestamps: within the last minute, not the agent's read time spread.
        var now = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        Assert.All(lines, l => Assert.InRange(l.TimestampNs, now - 120_000_000_000L, now));
        // Other tests' containers may be followed too.
        Assert.True(pipeline.Metrics.Gauge("agent_logs_containers_followed", "").Value >= 1);
    }

    [Fact]
    public async Task A_loki_outage_loses_nothing()
    {
        await DockerEngine.RequireAsync();
        await using var pipeline = await StartAsync();
        _receiver.FailFor(TimeSpan.FromSeconds(5));
        var name = await RunContainerAsync("dlog-outage", [], "sh", "-c", NumberedScript);
        var lines = await WaitForAsync(name, 4000, TimeSpan.FromSeconds(60));
        Assert.Equal(4000, lines.Select(l => l.Line).Distinct().Count());
        Assert.True(_receiver.Requests > 2);
    }

    [Fact]
    public async Task Compose_project_and_service_become_labels_and_static_labels_apply()
    {
        await DockerEngine.RequireAsync();
        await using var pipeline = await StartAsync(logs => logs.Docker.Labels["team"] = "shop");
        var name = await RunContainerAsync("dlog-compose",
            ["--label", "com.docker.compose.project=shop", "--label", "com.docker.compose.service=web", "--label", "unrelated=x"],
            "sh", "-c", "echo ready; sleep 600");
        var line = (await WaitForAsync(name, 1, TimeSpan.FromSeconds(30)))[0];
        Assert.Equal("ready", line.Line);
        Assert.Contains("compose_project=\"shop\"", line.Stream);
        Assert.Contains("compose_service=\"web\"", line.Stream);
        Assert.Contains("team=\"shop\"", line.Stream);
        Assert.DoesNotContain("unrelated", line.Stream);
    }

    [Fact]
    public async Task Json_lines_get_level_labels_and_drop_expressions_apply()
    {
        await DockerEngine.RequireAsync();
        await using var pipeline = await StartAsync(logs =>
        {
            logs.Docker.ExtractLevel = true;
            logs.Docker.DropRegexes.Add(new Regex("healthcheck"));
        });
        var script = """
            echo '{"level":"info","msg":"a"}'; echo '{"level":"ERROR","msg":"b"}' >&2; echo '{"lvl":"warn","msg":"c"}';
            echo 'GET /healthcheck 200'; echo 'level=debug msg=d'; echo 'plain'; sleep 600
            """;
        var name = await RunContainerAsync("dlog-json", [], "sh", "-c", script);
        var lines = await WaitForAsync(name, 5, TimeSpan.FromSeconds(30));
        await Task.Delay(500);
        lines = Of(name);
        string LevelOf(string text) => LevelLabel().Match(lines.Single(l => l.Line == text).Stream).Groups[1].Value;
        Assert.Equal("info", LevelOf("{\"level\":\"info\",\"msg\":\"a\"}"));
        Assert.Equal("error", LevelOf("{\"level\":\"ERROR\",\"msg\":\"b\"}"));
        Assert.Equal("warn", LevelOf("{\"lvl\":\"warn\",\"msg\":\"c\"}"));
        Assert.Equal("debug", LevelOf("level=debug msg=d"));
        Assert.Equal("unknown", LevelOf("plain"));
        Assert.Contains("stream=\"stderr\"", lines.Single(l => l.Line.Contains("ERROR")).Stream);
        Assert.DoesNotContain(lines, l => l.Line.Contains("healthcheck"));
        Assert.Equal(5, lines.Count);
    }

    [Fact]
    public async Task After_a_restart_a_container_resumes_and_an_unknown_one_is_read_from_its_beginning()
    {
        await DockerEngine.RequireAsync();
        var resumed = await RunContainerAsync("dlog-resume", [], "sh", "-c", "i=0; while [ $i -lt 30 ]; do i=$((i+1)); echo \"r $i\"; sleep 0.1; done; sleep 600");
        await Task.Delay(1000);
        int firstNumber;
        await using (var first = await StartAsync())
        {
            // A first start with read_from "end": what the already running container printed before is not read.
            var early = await WaitForAsync(resumed, 5, TimeSpan.FromSeconds(30));
            firstNumber = int.Parse(early[0].Line[2..]);
            Assert.True(firstNumber > 1, early[0].Line);
        }
        var unknown = await RunContainerAsync("dlog-unknown", [], "sh", "-c", "echo u 1; echo u 2; sleep 600");
        await Task.Delay(1000);
        await using var second = await StartAsync();
        // Not running when positions were last saved, and the agent ran before: its whole log.
        Assert.Equal(["u 1", "u 2"], (await WaitForAsync(unknown, 2, TimeSpan.FromSeconds(30))).Select(l => l.Line));
        await WaitForAsync(resumed, 31 - firstNumber, TimeSpan.FromSeconds(30));
        await Task.Delay(500);
        // Resumed after the last acknowledged line: every line once, none missing.
        Assert.Equal(Enumerable.Range(firstNumber, 31 - firstNumber), Of(resumed).Select(l => int.Parse(l.Line[2..])));
        Assert.Empty(_receiver.Rejections);
    }

    [Fact]
    public async Task A_line_the_engine_splits_at_16_KiB_arrives_whole()
    {
        await DockerEngine.RequireAsync();
        await using var pipeline = await StartAsync();
        var name = await RunContainerAsync("dlog-long", [], "sh", "-c", "printf '%040000d\\n' 7; echo after; sleep 600");
        var lines = await WaitForAsync(name, 2, TimeSpan.FromSeconds(30));
        Assert.Equal(new string('0', 39999) + "7", lines[0].Line);
        Assert.Equal("after", lines[1].Line);
    }

    [Fact]
    public async Task A_tty_container_is_one_stdout_stream_without_carriage_returns()
    {
        await DockerEngine.RequireAsync();
        await using var pipeline = await StartAsync();
        var name = await RunContainerAsync("dlog-tty", ["-t"], "sh", "-c", "echo one; echo two >&2; printf 'three'; sleep 600");
        var lines = await WaitForAsync(name, 2, TimeSpan.FromSeconds(30));
        Assert.Equal(["one", "two"], lines.Select(l => l.Line));
        Assert.All(lines, l => Assert.Contains("stream=\"stdout\"", l.Stream));
    }

    [Fact]
    public async Task A_stopped_container_is_followed_again_when_it_starts_again()
    {
        await DockerEngine.RequireAsync();
        await using var pipeline = await StartAsync();
        var name = await RunContainerAsync("dlog-again", [], "sh", "-c", "echo run; sleep 1; printf 'last words'");
        var first = await WaitForAsync(name, 2, TimeSpan.FromSeconds(30));
        // The stream ended with the container; its unterminated last line was sent then.
        Assert.Equal(["run", "last words"], first.Select(l => l.Line));
        await DockerEngine.RunCheckedAsync(["wait", name]);
        await DockerEngine.RunCheckedAsync(["start", name]);
        var again = await WaitForAsync(name, 4, TimeSpan.FromSeconds(30));
        Assert.Equal(["run", "last words", "run", "last words"], again.Select(l => l.Line));
        Assert.True(again[2].TimestampNs > again[1].TimestampNs);
    }

    [Fact]
    public async Task Stock_loki_takes_container_streams_and_keeps_replayed_lines_once()
    {
        await DockerEngine.RequireAsync();
        await using var loki = await LokiServer.StartAsync();
        string name;
        await using (var first = await StartAsync(logs => logs.Docker.ExtractLevel = true, loki.PushUrl))
        {
            name = await RunContainerAsync("dlog-loki", [], "sh", "-c",
                "i=0; while [ $i -lt 100 ]; do i=$((i+1)); echo \"{\\\"level\\\":\\\"warning\\\",\\\"n\\\":$i}\"; echo \"err $i\" >&2; done; sleep 600");
            await LokiCountAsync(loki, $"{{container=\"{name}\"}}", 200);
        }
        // Another data_dir reading every log from its beginning sends all 200 lines again, with
        // the same Docker timestamps: Loki accepts them and keeps each line once.
        await using (var second = await StartAsync(logs => { logs.Docker.ExtractLevel = true; logs.ReadFrom = "beginning"; }, loki.PushUrl, "data-replay"))
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (second.Metrics.Counter("agent_loki_entries_sent_total", "", new Label("endpoint", new Uri(loki.PushUrl).Authority)).Value < 200
                && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
        Assert.Equal(200, (await loki.QueryLinesAsync($"{{container=\"{name}\"}}")).Count);
        Assert.Equal(100, (await loki.QueryLinesAsync($"{{container=\"{name}\", level=\"warn\", stream=\"stdout\"}}")).Count);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => $"err {i}"),
            await loki.QueryLinesAsync($"{{container=\"{name}\", level=\"unknown\", stream=\"stderr\", job=\"docker\"}}"));
    }

    private static async Task LokiCountAsync(LokiServer loki, string selector, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await loki.QueryLinesAsync(selector)).Count < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{selector}: fewer than {count} lines; {loki.Output}");
            await Task.Delay(250);
        }
    }

    [GeneratedRegex("level=\"([a-z]+)\"")]
    private static partial Regex LevelLabel();
}
