using Agent.Exporters.Http;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Agent.Tests.Exporters.Http;

public sealed class SecretFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-secret-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Keeps what was logged, one line per call.</summary>
    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add($"{logLevel}: {formatter(state, exception)}");
    }

    [Fact]
    public void Follows_rotation_keeps_the_last_good_value_while_unreadable_and_says_so_once()
    {
        var path = Path.Combine(_dir, "token");
        var logger = new ListLogger();
        var secret = new SecretFile(path, "mon:9090", logger);
        File.WriteAllText(path, "one\n");
        Assert.Equal("one", secret.Read());
        File.WriteAllText(path, "two");
        Assert.Equal("two", secret.Read());

        File.Delete(path);
        Assert.Equal("two", secret.Read());
        Assert.Equal("two", secret.Read());
        var warning = Assert.Single(logger.Lines);
        Assert.StartsWith("Warning: mon:9090: cannot read " + path, warning);

        File.WriteAllText(path, "three");
        Assert.Equal("three", secret.Read());
        Assert.Equal("Information: mon:9090: " + path + " is readable again", logger.Lines[^1]);
    }

    [Fact]
    public void A_file_never_read_fails_the_request()
    {
        var secret = new SecretFile(Path.Combine(_dir, "missing"), "mon:9090", null);
        Assert.Throws<FileNotFoundException>(() => secret.Read());
    }
}
