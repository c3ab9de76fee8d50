using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Version_prints_version_runtime_and_rid()
    {
        var (code, stdout, _) = await AgentProcess.RunAsync(["version"]);
        Assert.Equal(0, code);
        Assert.StartsWith("agent 0.", stdout);
        Assert.Contains("runtime: .NET 10", stdout);
        Assert.Contains("rid:", stdout);
        Assert.Contains("commit:", stdout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("run")]
    [InlineData("check --config")]
    [InlineData("frobnicate")]
    [InlineData("run --config x.toml --bogus")]
    public async Task Bad_usage_exits_2(string commandLine)
    {
        var (code, _, stderr) = await AgentProcess.RunAsync(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(2, code);
        Assert.Contains("agent --help", stderr);
    }

    [Fact]
    public async Task Help_exits_0()
    {
        var (code, stdout, _) = await AgentProcess.RunAsync(["check", "--help"]);
        Assert.Equal(0, code);
        Assert.Contains("--metrics", stdout);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("check")]
    public async Task Bad_config_exits_2_naming_file_line_column_and_key(string verb)
    {
        var path = Write("bad.toml", "[agent]\nenvironment = \"lab\"\nintervall = \"15s\"\n");
        var (code, stdout, stderr) = await AgentProcess.RunAsync([verb, "--config", path]);
        Assert.Equal(2, code);
        Assert.Contains($"{path}:3:1: agent.intervall: unknown key", stdout + stderr);
    }

    [Fact]
    public async Task Missing_config_file_exits_2()
    {
        var (code, _, stderr) = await AgentProcess.RunAsync(["run", "--config", Path.Combine(_dir, "nope.toml")]);
        Assert.Equal(2, code);
        Assert.Contains("nope.toml: cannot read config", stderr);
    }

    [Fact]
    public async Task Check_fails_with_exit_1_on_an_unreachable_endpoint_and_an_unreadable_log()
    {
        var port = FreePort.Next();
        var logs = Path.Combine(_dir, "logs");
        Directory.CreateDirectory(logs);
        File.WriteAllText(Path.Combine(logs, "ok.log"), "line\n");
        var path = Write("agent.toml", $"""
            [agent]
            data_dir = "{_dir}/data"
            [[remote_write]]
            url = "http://127.0.0.1:{port}/api/v1/write"
            timeout = "2s"
            [[logs.files]]
            paths = ["{logs}/*.log", "{_dir}/missing/*.log"]
            """);
        var (code, stdout, _) = await AgentProcess.RunAsync(["check", "--config", path]);
        Assert.Equal(1, code);
        Assert.Contains("PASS  config", stdout);
        Assert.Contains("PASS  data_dir", stdout);
        Assert.Contains($"PASS  logs.files[0]      {logs}/*.log: 1 file(s) readable", stdout);
        Assert.Contains($"WARN  logs.files[0]      {_dir}/missing/*.log: no file matches yet", stdout);
        Assert.Contains("FAIL  remote_write[0]", stdout);
        Assert.Contains("WARN  loki", stdout);
    }

    [Fact]
    public async Task Check_metrics_prints_one_cycle_in_text_format_on_stdout()
    {
        var path = Write("agent.toml", $"""
            [agent]
            hostname = "cli-test"
            data_dir = "{_dir}/data"
            [containers]
            enabled = false
            """);
        var (code, stdout, stderr) = await AgentProcess.RunAsync(["check", "--config", path, "--metrics"]);
        Assert.Equal(0, code);
        Assert.Contains("PASS  config", stderr);
        if (!OperatingSystem.IsLinux()) return;
        Assert.Contains("# TYPE node_cpu_seconds_total counter", stdout);
        Assert.Contains("node_memory_MemTotal_bytes{environment=\"production\",host=\"cli-test\"} ", stdout);
        Assert.Contains("agent_scrape_collector_success{collector=\"cpu\",environment=\"production\",host=\"cli-test\"} 1", stdout);
    }

    [Fact]
    public async Task Check_fails_naming_the_docker_socket_it_cannot_open()
    {
        var path = Write("agent.toml", $"""
            [agent]
            data_dir = "{_dir}/data"
            [containers]
            docker_host = "unix://{_dir}/no-docker.sock"
            """);
        var (code, stdout, _) = await AgentProcess.RunAsync(["check", "--config", path]);
        Assert.Equal(1, code);
        Assert.Contains($"FAIL  docker", stdout);
        Assert.Contains($"unix://{_dir}/no-docker.sock", stdout);
        Assert.Contains("[containers] enabled = false", stdout);
    }

    [Fact]
    public async Task Check_lists_the_engine_and_its_containers()
    {
        await DockerEngine.RequireAsync();
        var path = Write("agent.toml", $"""
            [agent]
            data_dir = "{_dir}/data"
            """);
        var (_, stdout, _) = await AgentProcess.RunAsync(["check", "--config", path]);
        Assert.Matches(@"PASS  docker +unix:///var/run/docker.sock: engine 20\.[^ ]+ \(API 1\.\d+\), \d+ container\(s\), \d+ running", stdout);
        Assert.Contains("PASS  cadvisor", stdout);
    }
}
