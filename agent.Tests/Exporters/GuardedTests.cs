using Agent.Exporters;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Agent.Tests.Exporters;

public sealed class GuardedTests
{
    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add($"{logLevel}: {formatter(state, exception)}");
    }

    [Fact]
    public async Task An_unexpected_exception_is_logged_with_the_endpoint_and_the_loop_runs_again()
    {
        var logger = new ListLogger();
        var runs = 0;
        await Guarded.LoopAsync(() =>
        {
            if (++runs < 3) throw new InvalidOperationException("boom " + runs);
            return Task.FromResult(true);
        }, "send", "mon:9090", logger, CancellationToken.None);
        Assert.Equal(3, runs);
        Assert.Equal(["Error: mon:9090: send loop failed; running it again in 0.1s", "Error: mon:9090: send loop failed; running it again in 0.2s"], logger.Lines);
    }

    [Fact]
    public async Task The_hard_stop_ends_it_even_while_backing_off()
    {
        using var stop = new CancellationTokenSource();
        var loop = Guarded.LoopAsync(() => throw new InvalidOperationException("always"), "send", "mon:9090", new ListLogger(), stop.Token);
        await Task.Delay(50);
        stop.Cancel();
        await loop.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
