using System.Text;
using Agent.Config;
using Xunit;

namespace Agent.Tests.Config;

/// <summary>Configs a careless or hostile hand writes: each is one sentence naming key, value and allowed range, never a crash.</summary>
public sealed class HostileConfigTests
{
    private static readonly Dictionary<string, string> Env = new()
    {
        ["CRLF"] = "a\r\nX-Injected: 1",
        ["LF"] = "token\nX-Injected: 1",
    };

    private static AgentConfig Parse(string text) =>
        ConfigLoader.Parse(text, "/etc/agent/agent.toml", name => Env.GetValueOrDefault(name));

    private static string Problems(string text) =>
        string.Join('\n', Assert.Throws<ConfigException>(() => Parse(text)).Problems);

    [Theory]
    [InlineData("[agent]\ninterval = \"99999999999999999999w\"", "2:1: agent.interval: \"99999999999999999999w\" is out of range: allowed 100ms to 1h")]
    [InlineData("[agent]\ninterval = \"60d\"", "2:1: agent.interval: \"60d\" is out of range: allowed 100ms to 1h")]
    [InlineData("[agent]\ninterval = \"10ms\"", "2:1: agent.interval: \"10ms\" is out of range: allowed 100ms to 1h")]
    [InlineData("[agent]\nshutdown_timeout = \"1000d\"", "2:1: agent.shutdown_timeout: \"1000d\" is out of range: allowed 0 to 10m")]
    [InlineData("[[remote_write]]\nurl = \"http://a/\"\ntimeout = \"30d\"", "3:1: remote_write[0].timeout: \"30d\" is out of range: allowed 1ms to 10m")]
    [InlineData("[[remote_write]]\nurl = \"http://a/\"\nmax_backoff = \"2h\"", "3:1: remote_write[0].max_backoff: \"2h\" is out of range: allowed 1ms to 1h")]
    [InlineData("[[remote_write]]\nurl = \"http://a/\"\ncapacity = 0", "3:1: remote_write[0].capacity: 0 is out of range: allowed 1 to 10000000 samples")]
    [InlineData("[[remote_write]]\nurl = \"http://a/\"\nmax_samples_per_send = 1000000000", "3:1: remote_write[0].max_samples_per_send: 1000000000 is out of range: allowed 1 to 100000 samples")]
    [InlineData("[[loki]]\nurl = \"http://a/\"\nbatch_size = -1", "3:1: loki[0].batch_size: -1 is out of range: allowed 1 to 67108864 bytes")]
    [InlineData("[[loki]]\nurl = \"http://a/\"\nmax_pending_batches = 100000", "3:1: loki[0].max_pending_batches: 100000 is out of range: allowed 1 to 1000 batches")]
    [InlineData("[[loki]]\nurl = \"http://a/\"\nbatch_wait = \"1w\"", "3:1: loki[0].batch_wait: \"1w\" is out of range: allowed 10ms to 10m")]
    [InlineData("[logs]\nmax_line_size = 2000000000", "2:1: logs.max_line_size: 2000000000 is out of range: allowed 1024 to 16777216 bytes")]
    [InlineData("[logs]\npartial_line_timeout = \"1d\"", "2:1: logs.partial_line_timeout: \"1d\" is out of range: allowed 10ms to 1h")]
    [InlineData("[[logs.files]]\npaths = [\"/x\"]\nmultiline = { start_pattern = \"^a\", max_lines = 0 }", "logs.files[0].multiline.max_lines: 0 is out of range: allowed 1 to 100000 lines")]
    [InlineData("[[logs.files]]\npaths = [\"/x\"]\nmultiline = { start_pattern = \"^a\", max_wait = \"2h\" }", "logs.files[0].multiline.max_wait: \"2h\" is out of range: allowed 10ms to 1h")]
    [InlineData("[host]\nfilesystem_timeout = \"1h\"", "2:1: host.filesystem_timeout: \"1h\" is out of range: allowed 10ms to 10m")]
    public void Values_out_of_range_name_key_value_and_range(string toml, string expected)
    {
        Assert.Contains(expected, Problems(toml));
    }

    [Theory]
    [InlineData("a = " + "[", "]")]
    [InlineData("a = " + "{b = ", "}")]
    public void Deep_nesting_is_a_config_error(string open, string close)
    {
        var text = new StringBuilder("a = ");
        var opening = open[4..];
        for (var i = 0; i < 5000; i++) text.Append(opening);
        text.Append(opening.Length > 1 ? "1" : "");
        for (var i = 0; i < 5000; i++) text.Append(close);
        var problem = Assert.Single(Assert.Throws<ConfigException>(() => Parse(text.ToString())).Problems);
        Assert.Equal("/etc/agent/agent.toml:1:1: syntax: arrays or tables nested more than 64 deep (a config never needs that many)", problem);
    }

    [Fact]
    public void Binary_garbage_gives_a_screenful_of_errors_then_a_count()
    {
        var random = new Random(18);
        var bytes = new byte[20_000];
        random.NextBytes(bytes);
        var problems = Assert.Throws<ConfigException>(() => Parse(Encoding.Latin1.GetString(bytes))).Problems;
        Assert.Equal(ConfigException.MaxShown + 1, problems.Count);
        Assert.Matches(@"^and \d+ more problems$", problems[^1]);
        Assert.All(problems, p => Assert.DoesNotContain(p, c => char.IsControl(c)));
    }

    [Theory]
    [InlineData("headers = { \"X-A\" = \"${CRLF}\" }", "remote_write[0].headers.X-A: must not contain a line break or control character")]
    [InlineData("headers = { \"X A\" = \"1\" }", "remote_write[0].headers.X A: is not a valid header name")]
    [InlineData("headers = { \"X-A\\r\\nB\" = \"1\" }", "is not a valid header name")]
    [InlineData("bearer_token = \"${LF}\"", "remote_write[0].bearer_token: must not contain a line break")]
    [InlineData("tenant_id = \"${CRLF}\"", "remote_write[0].tenant_id: must not contain a line break")]
    [InlineData("basic_auth = { username = \"u\", password = \"${CRLF}\" }", "remote_write[0].basic_auth.password: must not contain a line break")]
    [InlineData("basic_auth = { username = \"u:v\", password = \"p\" }", "remote_write[0].basic_auth.username: must not contain ':'")]
    public void Header_names_and_values_cannot_inject_headers(string line, string expected)
    {
        Assert.Contains(expected, Problems($"[[remote_write]]\nurl = \"http://a/\"\n{line}"));
    }

    [Fact]
    public void Url_userinfo_becomes_basic_auth_and_leaves_the_url()
    {
        var rw = Parse("[[remote_write]]\nurl = \"http://me%40corp:s3cr%3At@10.0.0.5:9090/api/v1/write?x=1\"").RemoteWrite[0];
        Assert.Equal("me@corp", rw.BasicAuth!.Username);
        Assert.Equal("s3cr:t", rw.BasicAuth.Password);
        Assert.Equal(new Uri("http://10.0.0.5:9090/api/v1/write?x=1"), rw.UrlValue);
        Assert.Equal("", rw.UrlValue.UserInfo);
        Assert.DoesNotContain("s3cr", rw.Url);
    }

    [Theory]
    [InlineData("[[loki]]\nurl = \"http://u:topsecret@h:3100/\"\nbearer_token = \"t\"", "loki[0].url: carries user:password and basic_auth")]
    [InlineData("[[loki]]\nurl = \"ht tp://u:topsecret@h/\"", "loki[0].url: \"ht tp://***@h/\" is not an absolute http(s) URL")]
    [InlineData("[[loki]]\nurl = \"http://u:topsecret@h:3100/\"\ntimeout = \"1y\"", "loki[0].timeout: \"1y\" is not a duration")]
    public void Url_secrets_are_never_printed(string toml, string expected)
    {
        var problems = Problems(toml);
        Assert.Contains(expected, problems);
        Assert.DoesNotContain("topsecret", problems);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("100ms", 100)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1w1d", 691_200_000)]
    public void Durations_format_back_to_what_parses(string text, long ms)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(ms), value);
        Assert.Equal(text, Duration.Format(value));
    }

    [Fact]
    public void A_duration_too_long_for_a_timespan_saturates_instead_of_throwing()
    {
        Assert.True(Duration.TryParse("99999999999999999999w", out var value));
        Assert.Equal(TimeSpan.MaxValue, value);
    }
}
