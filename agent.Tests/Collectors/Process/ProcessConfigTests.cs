using Agent.Collectors.Process;
using Agent.Config;
using Xunit;

namespace Agent.Tests.Collectors.Process;

/// <summary>[process] in agent.toml: groups compile at load; what cannot compile is a config error with line and column.</summary>
public sealed class ProcessConfigTests
{
    private static AgentConfig Parse(string text) => ConfigLoader.Parse(text, "/etc/agent/agent.toml", _ => null);

    [Fact]
    public void Groups_compile_into_matchers()
    {
        var config = Parse("""
            [process]
            threads = false
            smaps = true

            [[process.groups]]
            name = "{{.Comm}}"
            comm = ["nginx"]

            [[process.groups]]
            name = "java:{{.Matches.app}}"
            exe = ["/usr/bin/java"]
            cmdline = ['^/usr/bin/java .*-jar (?P<app>\S+)']
            """);
        Assert.False(config.Process.Threads);
        Assert.True(config.Process.Smaps);
        Assert.True(config.Process.Children);
        Assert.Equal(2, config.Process.Matchers.Count);
        var java = new ProcessIdentity(7, "java", ["/usr/bin/java", "-Xmx1g", "-jar", "shop.jar"], 0);
        Assert.Equal("java:shop.jar", config.Process.Matchers[1].Match(java, new UserNames("/nonexistent")));
        Assert.Null(config.Process.Matchers[0].Match(java, new UserNames("/nonexistent")));
    }

    [Fact]
    public void No_groups_means_the_default_in_the_collector()
    {
        Assert.Empty(Parse("").Process.Matchers);
    }

    [Theory]
    [InlineData("[[process.groups]]\nname = \"x\"\ncmdline = ['(']", "/etc/agent/agent.toml:3:1: process.groups[0].cmdline: invalid regular expression \"(\"")]
    [InlineData("[[process.groups]]\ncomm = [\"a\"]\n[[process.groups]]\nname = \"{{.Cgroups}}\"\ncomm = [\"b\"]", "/etc/agent/agent.toml:4:1: process.groups[1].name: unknown template field \"{{.Cgroups}}\"")]
    [InlineData("[[process.groups]]\nname = \"{{.Matches.app}}\"\ncmdline = ['-jar (\\S+)']", "/etc/agent/agent.toml:2:1: process.groups[0].name: {{.Matches.app}} names no capture group")]
    [InlineData("[[process.groups]]\nname = \"{{.Comm}}\"", "/etc/agent/agent.toml:1:3: process.groups[0]: needs at least one of comm, exe or cmdline")]
    [InlineData("[[process.groups]]\ncomm = [\"a\"]\nregex = \"x\"", "/etc/agent/agent.toml:3:1: process.groups[0].regex: unknown key")]
    [InlineData("[process]\nthread = true", "/etc/agent/agent.toml:2:1: process.thread: unknown key")]
    public void Invalid_groups_are_config_errors_with_position(string toml, string expected)
    {
        var problems = string.Join('\n', Assert.Throws<ConfigException>(() => Parse(toml)).Problems);
        Assert.Contains(expected, problems);
    }
}
