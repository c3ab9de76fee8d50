using Agent.Config;
using Xunit;

namespace Agent.Tests.Config;

public sealed class JournalConfigTests
{
    private static AgentConfig Parse(string text) => ConfigLoader.Parse(text, "/etc/agent/agent.toml", _ => null);

    private static string Problems(string text) => string.Join('\n', Assert.Throws<ConfigException>(() => Parse(text)).Problems);

    [Fact]
    public void Off_by_default_with_the_system_journal_and_7_hours_of_max_age()
    {
        var journal = Parse("").Logs.Journal;
        Assert.False(journal.Enabled);
        Assert.Equal("", journal.Path);
        Assert.Empty(journal.Matches);
        Assert.Equal(TimeSpan.FromHours(7), journal.MaxAgeValue);
    }

    [Fact]
    public void Every_key_parses_and_a_relative_path_is_relative_to_the_config_file()
    {
        var journal = Parse("""
            [logs.journal]
            enabled = true
            path = "journal"
            matches = ["_SYSTEMD_UNIT=ssh.service", "+", "_TRANSPORT=kernel", "PRIORITY=3"]
            max_age = "12h"
            read_from = "beginning"
            extract_level = true
            drop = ["^healthcheck"]
            labels = { team = "ops", job = "system" }
            """).Logs.Journal;
        Assert.True(journal.Enabled);
        Assert.Equal("/etc/agent/journal", journal.Path);
        Assert.Equal(4, journal.Matches.Count);
        Assert.Equal(TimeSpan.FromHours(12), journal.MaxAgeValue);
        Assert.Single(journal.DropRegexes);
        Assert.Equal("system", journal.Labels["job"]);
    }

    [Theory]
    [InlineData("matches = [\"sshd\"]", "2:1: logs.journal.matches: \"sshd\" is not FIELD=VALUE")]
    [InlineData("matches = [\"_systemd_unit=a\"]", "2:1: logs.journal.matches: \"_systemd_unit=a\" has a field name that is not upper-case")]
    [InlineData("matches = [\"=a\"]", "2:1: logs.journal.matches: \"=a\" has no field name")]
    [InlineData("matches = [\"1X=a\"]", "2:1: logs.journal.matches: \"1X=a\" has a field name starting with a digit")]
    [InlineData("matches = [\"+\", \"A=b\"]", "2:1: logs.journal.matches: \"+\" goes between two groups of terms")]
    [InlineData("matches = [\"A=b\", \"+\"]", "2:1: logs.journal.matches: \"+\" goes between two groups of terms")]
    [InlineData("max_age = \"30s\"", "2:1: logs.journal.max_age: \"30s\" is out of range: allowed 1m to 4w")]
    [InlineData("max_age = \"a week\"", "2:1: logs.journal.max_age: \"a week\" is not a duration")]
    [InlineData("labels = { unit = \"x\" }", "2:12: logs.journal.labels.unit: \"unit\" is set from each entry's fields")]
    [InlineData("labels = { level = \"x\" }", "2:12: logs.journal.labels.level: \"level\" is set from each entry's fields")]
    [InlineData("read_from = \"middle\"", "2:1: logs.journal.read_from: \"middle\" must be \"end\" or \"beginning\"")]
    [InlineData("drop = [\"(\"]", "2:1: logs.journal.drop: invalid regular expression \"(\"")]
    [InlineData("units = [\"ssh\"]", "2:1: logs.journal.units: unknown key")]
    public void Bad_values_name_file_line_column_and_key(string line, string expected) =>
        Assert.Contains("/etc/agent/agent.toml:" + expected, Problems($"[logs.journal]\n{line}"));

    [Theory]
    [InlineData("+")]
    [InlineData("MESSAGE=")]
    [InlineData("_SYSTEMD_UNIT=ssh.service")]
    [InlineData("__CURSOR=x")]
    [InlineData("COREDUMP_EXE=/usr/bin/a=b")]
    public void Match_terms_libsystemd_takes_pass(string term) => Assert.Null(ConfigValidator.MatchProblem(term));

    [Fact]
    public void The_shipped_example_documents_the_journal_defaults()
    {
        var example = Path.Combine(Support.Fixtures.Root, "..", "..", "agent.toml.example");
        var journal = ConfigLoader.Load(example, name => name == "AGENT_DATA_DIR" ? "/tmp/agent-example" : null).Logs.Journal;
        var defaults = Parse("").Logs.Journal;
        Assert.Equal((defaults.Path, defaults.MaxAgeValue, defaults.ReadFrom, defaults.ExtractLevel), (journal.Path, journal.MaxAgeValue, journal.ReadFrom, journal.ExtractLevel));
        Assert.Empty(journal.Matches);
    }
}
