namespace Agent.Tests.Support;

/// <summary>
/// agent.Tests/fixtures in the source tree. Read in place rather than copied to the output,
/// because captured sysfs trees hold symlinks and empty files that a build copy would lose.
/// </summary>
public static class Fixtures
{
    public static string Root { get; } = Find();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "agent.Tests.csproj"))) return System.IO.Path.Combine(dir.FullName, "fixtures");
            var nested = System.IO.Path.Combine(dir.FullName, "agent.Tests", "agent.Tests.csproj");
            if (File.Exists(nested)) return System.IO.Path.Combine(dir.FullName, "agent.Tests", "fixtures");
        }
        throw new DirectoryNotFoundException($"agent.Tests/fixtures not found above {AppContext.BaseDirectory}");
    }
}
