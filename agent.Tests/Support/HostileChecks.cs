using Xunit;

namespace Agent.Tests.Support;

/// <summary>
/// What every hostile test asserts of the real agent's output and exit: sentences only (no .NET
/// resource key, no stack trace, no unhandled exception), at most a screenful for a bad config,
/// SIGTERM honoured within shutdown_timeout + 5 s, and resident memory within a bound.
/// </summary>
public static class HostileChecks
{
    /// <summary>No resource key, stack frame or unhandled exception anywhere in <paramref name="output"/>.</summary>
    public static void Sentences(string output)
    {
        Assert.True(ResourceKeys.Find(output) is null, $"resource key {ResourceKeys.Find(output)} in output:\n{output}");
        Assert.DoesNotContain("Unhandled exception", output);
        Assert.DoesNotMatch(@"(?m)^\s+at [\w.`<>]+\(", output);
    }

    /// <summary>A bad config: exit 2, a screenful of sentences at most, nothing else.</summary>
    public static void RefusedConfig(int exitCode, string output)
    {
        Assert.True(exitCode == 2, $"exit {exitCode}, expected 2:\n{output}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 1, Agent.Config.ConfigException.MaxShown + 1);
        Sentences(output);
    }

    /// <summary>SIGTERM ends the agent with exit 0 within <paramref name="shutdownTimeout"/> + 5 s, saying only sentences.</summary>
    public static async Task StopsAsync(AgentProcess agent, TimeSpan shutdownTimeout)
    {
        var start = DateTime.UtcNow;
        int exit;
        try
        {
            exit = await agent.TerminateAsync(shutdownTimeout + TimeSpan.FromSeconds(5));
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"SIGTERM did not end the agent within {shutdownTimeout.TotalSeconds + 5} s:\n{agent.Output}");
            return;
        }
        Assert.True(exit == 0, $"exit {exit} after SIGTERM ({(DateTime.UtcNow - start).TotalSeconds:F1} s):\n{agent.Output}");
        Sentences(agent.Output);
    }

    /// <summary>Samples the agent's RSS every 100 ms while <paramref name="during"/> runs; returns the peak.</summary>
    public static async Task<long> PeakRssAsync(AgentProcess agent, Func<Task> during)
    {
        long peak = agent.ResidentBytes();
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && !agent.HasExited)
            {
                try { peak = Math.Max(peak, agent.ResidentBytes()); }
                catch (IOException) { return; }
                await Task.Delay(100);
            }
        });
        try
        {
            await during();
        }
        finally
        {
            stop.Cancel();
            await sampler;
        }
        return peak;
    }
}
