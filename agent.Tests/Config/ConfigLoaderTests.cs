using Agent.Config;
using Xunit;

namespace Agent.Tests.Config;

public sealed class ConfigLoaderTests
{
    private static readonly Dictionary<string, string> Env = new()
    {
        ["NODE_ENV_NAME"] = "staging",
        ["MONITOR"] = "10.0.0.5",
    };

    private static AgentConfig Parse(string text) =>
        ConfigLoader.Parse(text, "/etc/agent/agent.toml", name => Env.GetValueOrDefault(name));

    private static string Problems(string text) =>
        string.Join('\n', Assert.Throws<ConfigException>(() => Parse(text)).Problems);

    [Fact]
    public void Empty_file_gives_documented_defaults()
    {
        var config = Parse("");
        Assert.Equal("production", config.Agent.Environment);
        Assert.Equal(TimeSpan.FromSeconds(15), config.Agent.IntervalValue);
        Assert.Equal("/var/lib/agent", config.Agent.DataDir);
        Assert.Equal("127.0.0.1:9101", config.Http.Listen);
        Assert.False(string.IsNullOrEmpty(config.Agent.Hostname));
        Assert.Empty(config.RemoteWrite);
        Assert.Empty(config.Loki);
        Assert.True(config.Host.Enabled && config.Process.Enabled && config.Containers.Enabled && config.Logs.Docker.Enabled);
    }

    [Theory]
    [InlineData("unix:///var/run/docker.sock")]
    [InlineData("tcp://10.0.0.5:2375")]
    [InlineData("http://localhost:2375")]
    [InlineData("npipe:////./pipe/docker_engine")]
    public void Containers_section_accepts_every_docker_host_scheme_and_resolves_cgroup_root(string host)
    {
        var config = Parse($"[containers]\ndocker_host = \"{host}\"\ncgroup_root = \"host/sys/fs/cgroup\"\ndocker_labels = [\"app\"]");
        Assert.Equal(host, config.Containers.DockerHost);
        Assert.Equal("/etc/agent/host/sys/fs/cgroup", config.Containers.CgroupRoot);
        Assert.Equal(["app"], config.Containers.DockerLabels);
    }

    [Fact]
    public void Containers_defaults_are_the_docker_socket_discovery_and_the_compose_labels()
    {
        var containers = Parse("").Containers;
        Assert.Equal("unix:///var/run/docker.sock", containers.DockerHost);
        Assert.Equal("", containers.CgroupRoot);
        Assert.Equal(["com.docker.compose.project", "com.docker.compose.service"], containers.DockerLabels);
    }

    [Fact]
    public void Full_config_with_environment_expansion()
    {
        var config = Parse("""
            [agent]
            hostname = "web-1"
            environment = "${NODE_ENV_NAME}"
            interval = "1m30s"
            data_dir = "state"

            [labels]
            team = "ops"

            [[remote_write]]
            url = "http://${MONITOR}:9090/api/v1/write"
            timeout = "5s"
            headers = { "X-Extra" = "1" }
            basic_auth = { username = "u", password = "${PASS:-secret}" }

            [[loki]]
            url = "http://${MONITOR}:3100/loki/api/v1/push"
            tenant_id = "t1"
            batch_wait = "2s"

            [[logs.files]]
            paths = ["/var/log/*.log", "app/*.log"]
            labels = { job = "varlogs" }
            """);
        Assert.Equal("staging", config.Agent.Environment);
        Assert.Equal(TimeSpan.FromSeconds(90), config.Agent.IntervalValue);
        Assert.Equal("/etc/agent/state", config.Agent.DataDir);
        Assert.Equal("ops", config.Labels["team"]);
        Assert.Equal(new Uri("http://10.0.0.5:9090/api/v1/write"), config.RemoteWrite[0].UrlValue);
        Assert.Equal("secret", config.RemoteWrite[0].BasicAuth!.Password);
        Assert.Equal("1", config.RemoteWrite[0].Headers["x-extra"]);
        Assert.Equal(TimeSpan.FromSeconds(2), config.Loki[0].BatchWaitValue);
        Assert.Equal(["/var/log/*.log", "/etc/agent/app/*.log"], config.Logs.Files[0].Paths);
        Assert.Equal("varlogs", config.Logs.Files[0].Labels["job"]);
    }

    [Fact]
    public void Unknown_keys_are_named_with_line_and_column()
    {
        var problems = Problems("""
            [agent]
            intervall = "15s"

            [[remote_write]]
            url = "http://127.0.0.1:9090/api/v1/write"

            [[remote_write]]
            url = "http://127.0.0.1:8428/api/v1/write"
            tls = { insecure = true }
            """);
        Assert.Contains("/etc/agent/agent.toml:2:1: agent.intervall: unknown key", problems);
        Assert.Contains("/etc/agent/agent.toml:9:9: remote_write[1].tls.insecure: unknown key", problems);
    }

    [Fact]
    public void Wrong_type_names_the_key_and_position()
    {
        var problems = Problems("""
            [agent]
            interval = 15
            """);
        Assert.StartsWith("/etc/agent/agent.toml:2:", problems);
        Assert.Contains("agent.interval", problems);
    }

    [Fact]
    public void Syntax_error_has_line_and_column()
    {
        var problems = Problems("[agent\ninterval = \"15s\"\n");
        Assert.StartsWith("/etc/agent/agent.toml:1:", problems);
        Assert.Contains("syntax", problems);
    }

    [Theory]
    [InlineData("[agent]\ninterval = \"15 parsecs\"", "2:1: agent.interval: \"15 parsecs\" is not a duration")]
    [InlineData("[agent]\nenvironment = \"${NOPE}\"", "2:1: agent.environment: environment variable NOPE is not set")]
    [InlineData("[[remote_write]]\nurl = \"localhost:9090\"", "2:1: remote_write[0].url: \"localhost:9090\" is not an absolute http(s) URL")]
    [InlineData("[[loki]]\ntimeout = \"1s\"", "1:3: loki[0].url: is required")]
    [InlineData("[labels]\nhost = \"x\"", "2:1: labels.host: \"host\" is set by the agent")]
    [InlineData("[labels]\n\"bad-name\" = \"x\"", "2:1: labels.bad-name: label names must match")]
    [InlineData("[http]\nlisten = \"9101\"", "2:1: http.listen: \"9101\" is not ip:port")]
    [InlineData("[[remote_write]]\nurl = \"http://a/\"\nheaders = { \"Content-Encoding\" = \"gzip\" }", "remote_write[0].headers.Content-Encoding: is set by the agent")]
    [InlineData("[[remote_write]]\nurl = \"http://a/\"\nbearer_token = \"a\"\nbearer_token_file = \"/b\"", "4:1: remote_write[0].bearer_token_file: set either")]
    [InlineData("[[remote_write]]\nurl = \"http://a/\"\nmin_backoff = \"10s\"\nmax_backoff = \"1s\"", "remote_write[0].max_backoff: must not be below min_backoff")]
    [InlineData("[[logs.files]]\nlabels = { a = \"b\" }", "logs.files[0].paths: needs at least one glob")]
    [InlineData("[[logs.files]]\npaths = [\"/x\"]\nmultiline = { max_lines = 0 }", "logs.files[0].multiline.start_pattern: is required")]
    [InlineData("[[logs.files]]\npaths = [\"/x\"]\nmultiline = { start_pattern = \"^a\", max_wait = \"x\" }", "logs.files[0].multiline.max_wait: \"x\" is not a duration")]
    [InlineData("[logs]\nread_from = \"middle\"", "2:1: logs.read_from: \"middle\" must be \"end\" or \"beginning\"")]
    [InlineData("[logs]\nmax_line_size = 10", "2:1: logs.max_line_size: 10 is out of range: allowed 1024 to 16777216 bytes")]
    [InlineData("[[logs.files]]\npaths = [\"/x\"]\ndrop = [\"([\"]", "3:1: logs.files[0].drop: invalid regular expression")]
    [InlineData("[[logs.files]]\npaths = [\"/x\"]\nextract_level = true\nlabels = { level = \"x\" }", "logs.files[0].labels.level: conflicts with extract_level")]
    [InlineData("[logs.docker]\ndrop = [\"([\"]", "2:1: logs.docker.drop: invalid regular expression")]
    [InlineData("[logs.docker]\nread_from = \"middle\"", "2:1: logs.docker.read_from: \"middle\" must be \"end\" or \"beginning\"")]
    [InlineData("[logs.docker]\nextract_level = true\nlabels = { level = \"x\" }", "logs.docker.labels.level: conflicts with extract_level")]
    [InlineData("[logs.docker]\nlabels = { host = \"x\" }", "logs.docker.labels.host: \"host\" is set by the agent")]
    [InlineData("[logs.docker]\nfollow = true", "2:1: logs.docker.follow: unknown key")]
    [InlineData("[host]\ndisable = [\"cpuu\"]", "2:1: host.disable: unknown collector \"cpuu\"")]
    [InlineData("[host]\nnetdev_device_exclude = \"(\"", "2:1: host.netdev_device_exclude: invalid regular expression")]
    [InlineData("[host]\nfilesystem_timeout = \"soon\"", "2:1: host.filesystem_timeout: \"soon\" is not a duration")]
    [InlineData("[containers]\ndocker_host = \"/var/run/docker.sock\"", "2:1: containers.docker_host: \"/var/run/docker.sock\" is not a unix://, tcp://, http:// or npipe:// address")]
    [InlineData("[containers]\ndocker_host = \"ssh://me@host\"", "2:1: containers.docker_host: \"ssh://me@host\" is not a unix://")]
    [InlineData("[containers]\ndocker_labels = [\"\"]", "2:1: containers.docker_labels: contains an empty label name")]
    [InlineData("[containers]\ndocker_labels = [\"a.b\", \"a-b\"]", "2:1: containers.docker_labels: \"a-b\" and \"a.b\" both become container_label_a_b")]
    [InlineData("[containers]\ncgroup_rot = \"/x\"", "2:1: containers.cgroup_rot: unknown key")]
    public void Invalid_values_are_reported(string toml, string expected)
    {
        Assert.Contains(expected, Problems(toml));
    }

    [Fact]
    public void Docker_logs_take_the_same_processing_keys_as_files()
    {
        var docker = Parse("""
            [logs.docker]
            labels = { job = "containers", team = "ops" }
            extract_level = true
            drop = ["healthcheck"]
            read_from = "beginning"
            """).Logs.Docker;
        Assert.True(docker.Enabled);
        Assert.Equal("containers", docker.Labels["job"]);
        Assert.Equal("ops", docker.Labels["team"]);
        Assert.True(docker.ExtractLevel);
        Assert.Equal("beginning", docker.ReadFrom);
        Assert.Matches(Assert.Single(docker.DropRegexes), "GET /healthcheck");
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        var problems = Assert.Throws<ConfigException>(() => Parse("""
            [agent]
            interval = "soon"
            typo = 1
            [http]
            listen = "nowhere"
            """)).Problems;
        Assert.Equal(3, problems.Count);
    }

    [Theory]
    [InlineData("15s", 15_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("0", 0)]
    public void Durations_parse(string text, double ms)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(ms, value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("15")]
    [InlineData("s")]
    [InlineData("5 minutes")]
    public void Bad_durations_fail(string text) => Assert.False(Duration.TryParse(text, out _));

    [Theory]
    [InlineData("a${MONITOR}b", "a10.0.0.5b")]
    [InlineData("${MISSING:-fallback}", "fallback")]
    [InlineData("cost $$5", "cost $5")]
    [InlineData("plain $HOME", "plain $HOME")]
    public void Environment_expansion(string raw, string expected)
    {
        Assert.Equal(expected, EnvExpander.Expand(raw, name => Env.GetValueOrDefault(name), out var error));
        Assert.Null(error);
    }

    [Fact]
    public void The_shipped_example_is_valid_and_documents_the_defaults()
    {
        var example = Path.Combine(Support.Fixtures.Root, "..", "..", "agent.toml.example");
        var config = ConfigLoader.Load(example, name => name == "AGENT_DATA_DIR" ? "/tmp/agent-example" : null);
        var defaults = Parse("");
        Assert.Equal(defaults.Agent.IntervalValue, config.Agent.IntervalValue);
        Assert.Equal(defaults.Host.DiskstatsDeviceExclude, config.Host.DiskstatsDeviceExclude);
        Assert.Equal(defaults.Host.FilesystemMountPointsExclude, config.Host.FilesystemMountPointsExclude);
        Assert.Equal(defaults.Host.FilesystemFsTypesExclude, config.Host.FilesystemFsTypesExclude);
        Assert.Equal(defaults.Host.NetdevDeviceExclude, config.Host.NetdevDeviceExclude);
        Assert.Equal(defaults.Http.Listen, config.Http.Listen);
        Assert.Equal(defaults.Containers.DockerHost, config.Containers.DockerHost);
        Assert.Equal(defaults.Containers.CgroupRoot, config.Containers.CgroupRoot);
        Assert.Equal(defaults.Containers.DockerLabels, config.Containers.DockerLabels);
        Assert.Equal(new RemoteWriteConfig().Capacity, config.RemoteWrite[0].Capacity);
        Assert.Equal(new LokiConfig().BatchSize, config.Loki[0].BatchSize);
        Assert.Equal((defaults.Process.Threads, defaults.Process.Smaps, defaults.Process.Recheck, defaults.Process.Children),
            (config.Process.Threads, config.Process.Smaps, config.Process.Recheck, config.Process.Children));
        Assert.Empty(config.Process.Groups);
        var rw = config.RemoteWrite[0];
        var rwDefaults = new RemoteWriteConfig();
        Assert.Equal((rwDefaults.Buffer, rwDefaults.MaxBufferBytes, rwDefaults.MaxShards), (rw.Buffer, rw.MaxBufferBytes, rw.MaxShards));
        Assert.Equal((rwDefaults.MaxBufferAgeValue, rwDefaults.BufferSyncIntervalValue), (rw.MaxBufferAgeValue, rw.BufferSyncIntervalValue));
        Assert.Equal(defaults.Agent.StallTimeoutValue, config.Agent.StallTimeoutValue);
    }

    [Theory]
    [InlineData("buffer = \"tape\"", "3:1: remote_write[0].buffer: \"tape\" is not \"disk\" or \"memory\"")]
    [InlineData("max_buffer_bytes = 1000", "3:1: remote_write[0].max_buffer_bytes: 1000 is out of range: allowed 1048576 to 1099511627776 bytes")]
    [InlineData("max_buffer_age = \"forever\"", "3:1: remote_write[0].max_buffer_age: \"forever\" is not a duration")]
    [InlineData("buffer_sync_interval = \"1ms\"", "3:1: remote_write[0].buffer_sync_interval: \"1ms\" is out of range: allowed 10ms to 10m")]
    [InlineData("max_shards = 0", "3:1: remote_write[0].max_shards: 0 is out of range: allowed 1 to 64 shards")]
    [InlineData("max_shards = 65", "3:1: remote_write[0].max_shards: 65 is out of range: allowed 1 to 64 shards")]
    public void Buffer_keys_are_checked(string line, string expected) =>
        Assert.Contains(expected, Problems($"[[remote_write]]\nurl = \"http://a/\"\n{line}"));

    [Fact]
    public void Buffer_keys_parse_with_disk_as_the_default()
    {
        var config = Parse("[agent]\nstall_timeout = \"90s\"\n[[remote_write]]\nurl = \"http://a/\"\nmax_buffer_age = \"30m\"\nmax_buffer_bytes = 2097152\n[[remote_write]]\nurl = \"http://b/\"\nbuffer = \"memory\"");
        Assert.True(config.RemoteWrite[0].DiskBuffer);
        Assert.Equal(TimeSpan.FromMinutes(30), config.RemoteWrite[0].MaxBufferAgeValue);
        Assert.Equal(2097152, config.RemoteWrite[0].MaxBufferBytes);
        Assert.False(config.RemoteWrite[1].DiskBuffer);
        Assert.Equal(TimeSpan.FromSeconds(90), config.Agent.StallTimeoutValue);
    }
}
