using Agent.Config;
using Xunit;

namespace Agent.Tests.Config;

/// <summary>TOML lets another table stand between two entries of a table array; every entry must load.</summary>
public sealed class SplitTableArrayTests
{
    private static AgentConfig Parse(string text) => ConfigLoader.Parse(text, "/etc/agent/agent.toml", _ => null);

    [Fact]
    public void Logs_files_split_by_another_table_keep_every_entry_and_their_sub_tables()
    {
        var config = Parse("""
            [[logs.files]]
            paths = ["/var/log/a.log"]
            [logs.files.multiline]
            start_pattern = "^A"
            [logs.docker]
            enabled = false
            [host]
            enabled = false
            [[logs.files]]
            paths = ["/var/log/b.log"]
            [logs.files.multiline]
            start_pattern = "^B"
            [logs]
            read_from = "beginning"
            [[logs.files]]
            paths = ["/var/log/c.log"]
            """);
        Assert.Equal(["/var/log/a.log", "/var/log/b.log", "/var/log/c.log"], config.Logs.Files.Select(f => f.Paths[0]));
        Assert.Equal("^A", config.Logs.Files[0].Multiline!.StartPattern);
        Assert.Equal("^B", config.Logs.Files[1].Multiline!.StartPattern);
        Assert.Null(config.Logs.Files[2].Multiline);
        Assert.False(config.Logs.Docker.Enabled);
        Assert.False(config.Host.Enabled);
        Assert.Equal("beginning", config.Logs.ReadFrom);
    }

    [Fact]
    public void Process_groups_split_by_another_table_keep_every_entry()
    {
        var config = Parse("""
            [[process.groups]]
            comm = ["nginx"]
            [http]
            listen = ""
            [[process.groups]]
            comm = ["postgres"]
            [process]
            threads = false
            [[process.groups]]
            name = "{{.Comm}}"
            comm = ["redis-server"]
            """);
        Assert.Equal([["nginx"], ["postgres"], ["redis-server"]], config.Process.Groups.Select(g => g.Comm));
        Assert.Equal(3, config.Process.Matchers.Count);
        Assert.False(config.Process.Threads);
        Assert.Equal("", config.Http.Listen);
    }

    [Fact]
    public void Remote_write_split_by_another_table_keeps_every_entry()
    {
        var config = Parse("""
            [[remote_write]]
            url = "http://10.0.0.1:9090/api/v1/write"
            [remote_write.basic_auth]
            username = "first"
            [agent]
            interval = "30s"
            [[remote_write]]
            url = "http://10.0.0.2:8428/api/v1/write"
            """);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], config.RemoteWrite.Select(r => r.UrlValue.Host));
        Assert.Equal("first", config.RemoteWrite[0].BasicAuth!.Username);
        Assert.Null(config.RemoteWrite[1].BasicAuth);
        Assert.Equal(TimeSpan.FromSeconds(30), config.Agent.IntervalValue);
    }

    [Fact]
    public void Loki_split_by_other_tables_keeps_every_entry()
    {
        var config = Parse("""
            [[loki]]
            url = "http://10.0.0.1:3100/loki/api/v1/push"
            [labels]
            team = "ops"
            [[remote_write]]
            url = "http://10.0.0.1:9090/api/v1/write"
            [[loki]]
            url = "http://10.0.0.2:3100/loki/api/v1/push"
            tenant_id = "b"
            """);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], config.Loki.Select(l => l.UrlValue.Host));
        Assert.Equal("b", config.Loki[1].TenantId);
        Assert.Single(config.RemoteWrite);
        Assert.Equal("ops", config.Labels["team"]);
    }

    [Fact]
    public void Errors_in_a_moved_table_name_the_line_as_written()
    {
        var problems = Assert.Throws<ConfigException>(() => Parse("""
            [[loki]]
            url = "http://10.0.0.1:3100/loki/api/v1/push"
            [agent]
            hostname = "a"
            [[loki]]
            url = "http://10.0.0.2:3100/loki/api/v1/push"
            batch_size = "big"
            [host]
            enabled = true
            """)).Problems;
        var problem = Assert.Single(problems);
        Assert.StartsWith("/etc/agent/agent.toml:7:", problem);
        Assert.Contains("loki[1].batch_size", problem);
    }

    [Fact]
    public void A_last_table_without_a_trailing_newline_can_be_moved()
    {
        var config = Parse("[[loki]]\nurl = \"http://a:3100/\"\n[agent]\nhostname = \"h\"\n[[loki]]\nurl = \"http://b:3100/\"\n[host]\nenabled = false");
        Assert.Equal(2, config.Loki.Count);
        Assert.False(config.Host.Enabled);
    }
}
