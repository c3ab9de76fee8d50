namespace Agent.Tests.Support;

/// <summary>The source checkout the tests run from: packaging/, build.sh and the like.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "agent.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"agent.sln not found above {AppContext.BaseDirectory}");
    }
}
