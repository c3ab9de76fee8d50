using Agent.Config;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Logs.Docker;

/// <summary>
/// Short-lived containers in a burst: the engine is saturated starting them, so this runs alone,
/// neither slowed by nor slowing the other engine tests.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class DockerLogBurstTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-dburst-").FullName;
    private readonly LokiReceiver _receiver = new();
    private readonly List<string> _containers = [];

    private string DataDir => Path.Combine(_dir, "data");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await DockerEngine.RemoveAsync([.. _containers]);
        await _receiver.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private List<(string Stream, long TimestampNs, string Line)> Of(string container) =>
        _receiver.Accepted.Where(a => a.Stream.Contains($"container=\"{container}\"", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task A_hundred_containers_that_print_and_exit_at_once_arrive_whole_and_once_and_are_not_read_again_after_a_restart()
    {
        const int Containers = 100, Lines = 1000, Parallel = 8;
        await DockerEngine.RequireAsync();
        var prefix = DockerEngine.UniqueName("dlog-burst");
        var names = Enumerable.Range(0, Containers).Select(i => $"{prefix}-{i:D3}").ToList();
        _containers.AddRange(names);
        async Task RunAllAsync(IEnumerable<string> batch) => await System.Threading.Tasks.Parallel.ForEachAsync(batch,
            new ParallelOptions { MaxDegreeOfParallelism = Parallel },
            async (name, _) => await DockerEngine.RunCheckedAsync(["run", "-d", "--name", name, DockerEngine.Image, "sh", "-c",
                $"i=0; while [ $i -lt {Lines} ]; do i=$((i+1)); echo \"{name[^3..]} $i\"; done"]));
        void Beginning(LogsSection logs) => logs.ReadFrom = "beginning";

        // Half of them run and exit while no agent runs: the agent first sees them exited.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await RunAllAsync(names.Take(Containers / 2));
        await using (var pipeline = await ContainerLogPipeline.StartAsync(DataDir, _receiver.PushUrl, Beginning))
        {
            // The other half start while the agent runs, most of them gone before the inspect of their start.
            await RunAllAsync(names.Skip(Containers / 2));
            var started = clock.Elapsed;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (names.Sum(n => Of(n).Count) < Containers * Lines && DateTime.UtcNow < deadline) await Task.Delay(250);
            // Each stopped container is read a second time after a 2 s settle pause; its position
            // moves to its finish only when that read is done.
            await Task.Delay(TimeSpan.FromSeconds(4));
            TestReport.Write($"docker burst: {Containers} containers started in {started.TotalSeconds:F0} s ({Parallel} at a time), "
                + $"last line delivered {(clock.Elapsed - started).TotalSeconds:F1} s after the last start");
        }
        foreach (var name in names)
        {
            Assert.Equal(Enumerable.Range(1, Lines).Select(i => $"{name[^3..]} {i}"), Of(name).Select(l => l.Line));
        }
        Assert.Equal(0, _receiver.Duplicates);
        Assert.Empty(_receiver.Rejections);
        TestReport.Write($"docker burst: {Containers} containers x {Lines} lines, exited at once: {names.Sum(n => Of(n).Count)} delivered, {_receiver.Duplicates} duplicates");

        // Restarted on the same data_dir: every one of them was delivered to the instant it finished, so none is read again.
        var said = new ListLogger();
        await using (var again = await ContainerLogPipeline.StartAsync(DataDir, _receiver.PushUrl, Beginning, said))
        {
            await Task.Delay(3000);
        }
        Assert.DoesNotContain(said.Messages, m => m.Contains(prefix, StringComparison.Ordinal));
        Assert.Equal(Containers * Lines, names.Sum(n => Of(n).Count));
    }
}
