using Xunit;

namespace Agent.Tests.Support;

/// <summary>
/// Finds the real server a test needs (prometheus, victoria-metrics, loki, ...).
/// On a laptop without it the test is skipped; under CI=true a missing binary fails the run.
/// </summary>
public static class ServerBinary
{
    public static bool InCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string Require(string name, string? envVar = null)
    {
        if (envVar is not null)
        {
            var fromEnv = Environment.GetEnvironmentVariable(envVar);
            if (!string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv)) return fromEnv;
        }
        var found = FindOnPath(name);
        if (found is not null) return found;
        var message = $"{name} not found on PATH" + (envVar is null ? "" : $" nor in ${envVar}");
        if (InCi) Assert.Fail(message + " (CI=true: .ci/run must install it)");
        Assert.Skip(message);
        return null!;
    }

    public static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
