using Agent.Config;
using Agent.Exporters.RemoteWrite;
using Agent.Exporters.RemoteWrite.Buffer;
using Agent.Telemetry;
using Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Agent.Tests.Cli;

/// <summary>`agent check` reports each disk buffer's depth and the age of its oldest sample.</summary>
public sealed class CheckBufferTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-checkbuf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Check_shows_buffer_depth_and_oldest_age_without_touching_it()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}/api/v1/write";
        var dir = RemoteWriteExporter.BufferDirectory(Path.Combine(_dir, "data"), new RemoteWriteConfig { UrlValue = new Uri(url) });
        var oldest = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3 * 3_600_000;
        using (var buffer = new DiskBuffer(dir, 16 * 1024 * 1024, new BufferMetrics(new SelfMetrics(), "t"), NullLogger.Instance, "t"))
        {
            for (var i = 0; i < 4; i++) buffer.Append(oldest + i * 1000, 10, new byte[100]);
            Assert.True(buffer.TryRead(out var first));
            buffer.Settle(first);
        }
        var config = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(config, $"""
            [agent]
            data_dir = "{_dir}/data"
            [host]
            enabled = false
            [process]
            enabled = false
            [containers]
            enabled = false
            [[remote_write]]
            url = "{url}"
            timeout = "1s"
            [[remote_write]]
            url = "{url}x"
            buffer = "memory"
            """);
        var (_, stdout, _) = await AgentProcess.RunAsync(["check", "--config", config]);
        Assert.True(stdout.Contains($"WARN  remote_write[0].buffer {dir}: 3 requests (30 samples, "), stdout);
        // The first record is settled: the oldest waiting one is 10799 s old, plus however long check took to start.
        var age = System.Text.RegularExpressions.Regex.Match(stdout, @"oldest (\d+) s old \(max_buffer_age 2h: is the endpoint reachable\?\)");
        Assert.True(age.Success, stdout);
        Assert.InRange(int.Parse(age.Groups[1].Value), 10798, 10860);
        Assert.Contains("PASS  remote_write[1].buffer memory (10000 samples, lost at stop)", stdout);
        Assert.Equal(3, BufferSummary.Read(dir).Records);
    }
}
