using System.Text;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Hostile;

/// <summary>
/// Malformed configs given to the real binary, through `check` and `run`: exit 2 with at most a
/// screenful of sentences naming file, line and key; never a stack trace, never a resource key.
/// </summary>
public sealed class BadConfigRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-badconfig-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Dictionary<string, string> Env = new() { ["INJECT"] = "v\r\nX-Injected: 1" };

    public static TheoryData<string, string> Configs() => new()
    {
        { "deep arrays", "a = " + new string('[', 5000) + new string(']', 5000) },
        { "deep inline tables", "a = " + string.Concat(Enumerable.Repeat("{b=", 3000)) + "1" + new string('}', 3000) },
        { "overflowing duration", "[agent]\ninterval = \"99999999999999999999w\"" },
        { "interval beyond timers", "[agent]\ninterval = \"60d\"" },
        { "shutdown timeout of years", "[agent]\nshutdown_timeout = \"1000d\"" },
        { "http timeout beyond sockets", "[[remote_write]]\nurl = \"http://127.0.0.1:9/api/v1/write\"\ntimeout = \"30d\"" },
        { "header injection from the environment", "[[loki]]\nurl = \"http://127.0.0.1:9/\"\nheaders = { \"X-Tenant\" = \"${INJECT}\" }" },
        { "huge count", "[[remote_write]]\nurl = \"http://127.0.0.1:9/\"\ncapacity = 99999999999" },
        { "broken regex", "[[logs.files]]\npaths = [\"/x\"]\ndrop = [\"(unclosed\"]" },
        { "bad url with a secret", "[[loki]]\nurl = \"htp:/user:hunter2@host\"" },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public async Task Check_and_run_refuse_with_sentences(string what, string toml)
    {
        var config = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(config, toml);
        foreach (var verb in new[] { "check", "run" })
        {
            var (code, stdout, stderr) = await AgentProcess.RunAsync([verb, "--config", config], Env, TimeSpan.FromSeconds(30));
            HostileChecks.RefusedConfig(code, stdout + stderr);
            Assert.Contains(config, stdout + stderr);
            Assert.DoesNotContain("hunter2", stdout + stderr);
            Assert.True(stdout.Length + stderr.Length > 0, $"{what}: {verb} printed nothing");
        }
    }

    [Fact]
    public async Task Binary_garbage_prints_a_screenful_and_a_count()
    {
        var config = Path.Combine(_dir, "agent.toml");
        var bytes = new byte[64 * 1024];
        new Random(18).NextBytes(bytes);
        File.WriteAllBytes(config, bytes);
        var (code, stdout, stderr) = await AgentProcess.RunAsync(["check", "--config", config]);
        HostileChecks.RefusedConfig(code, stdout + stderr);
        Assert.Matches(@"and \d+ more problems", stdout);
    }

    [Theory]
    [InlineData("file")]
    [InlineData("file/sub")]
    [InlineData("/proc/agent-no-such")]
    public async Task A_data_dir_that_cannot_be_used_is_one_sentence_and_exit_2(string dataDir)
    {
        File.WriteAllText(Path.Combine(_dir, "file"), "");
        var config = Path.Combine(_dir, "agent.toml");
        File.WriteAllText(config, $"""
            [agent]
            data_dir = "{dataDir}"
            [http]
            listen = ""
            [host]
            enabled = false
            [process]
            enabled = false
            [containers]
            enabled = false
            """);
        var (code, stdout, stderr) = await AgentProcess.RunAsync(["run", "--config", config]);
        Assert.Equal(2, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("agent: data_dir ", line);
        HostileChecks.Sentences(stdout + stderr);

        var check = await AgentProcess.RunAsync(["check", "--config", config]);
        Assert.Equal(1, check.ExitCode);
        Assert.Contains("FAIL  data_dir", check.Stdout);
        HostileChecks.Sentences(check.Stdout + check.Stderr);
    }
}
