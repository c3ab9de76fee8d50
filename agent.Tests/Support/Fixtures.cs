namespace Agent.Tests.Support;

/// <summary>
/// agent.Tests/fixtures in the source tree. Read in place rather than copied to the output,
/// because captured sysfs trees hold symlinks and empty files that a build copy would lose.
/// </summary>
public static class Fixtures
{
    public static string Root { get; } = Repository.Path("agent.Tests", "fixtures");

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);
}
