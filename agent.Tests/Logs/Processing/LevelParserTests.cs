using System.Text;
using Agent.Logs.Processing;
using Xunit;

namespace Agent.Tests.Logs.Processing;

public sealed class LevelParserTests
{
    [Theory]
    [InlineData("{\"level\":\"info\",\"msg\":\"x\"}", "info")]
    [InlineData("{\"msg\":\"x\",\"lvl\":\"WARNING\"}", "warn")]
    [InlineData("  {\"nested\":{\"level\":\"debug\"},\"severity\":\"CRITICAL\"}", "fatal")]
    [InlineData("{\"level\":3}", "error")]
    [InlineData("{\"level\":\"verbose-ish\"}", "unknown")]
    [InlineData("{\"msg\":\"no level\"}", "unknown")]
    [InlineData("{broken json level=\"error\"", "unknown")]
    [InlineData("ts=1 level=error msg=boom", "error")]
    [InlineData("level=\"Debug\" msg=x", "debug")]
    [InlineData("ts=1 sublevel=error lvl=info", "info")]
    [InlineData("plain text ERROR here", "unknown")]
    [InlineData("", "unknown")]
    public void Normalises_to_six_values(string line, string expected) =>
        Assert.Equal(expected, LevelParser.Parse(Encoding.UTF8.GetBytes(line)));
}
