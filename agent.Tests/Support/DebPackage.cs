using Xunit;

namespace Agent.Tests.Support;

/// <summary>
/// The .deb that `./build.sh package` makes (native AOT publish, then packaging/deb): the one
/// `./build.sh test` built before the tests (AGENT_DEB), or built here once per test run.
/// Installing it needs root and dpkg: elsewhere the test skips, under CI it fails.
/// </summary>
public static class DebPackage
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _path;

    public static async Task<string> BuildAsync()
    {
        if (!OperatingSystem.IsLinux() || !IsRoot())
        {
            if (ServerBinary.InCi) Assert.Fail("the package test installs a .deb and needs root (CI=true)");
            Assert.Skip("installing the .deb needs root");
        }
        ServerBinary.Require("dpkg-deb");
        await Gate.WaitAsync();
        try
        {
            if (_path is not null) return _path;
            if (Environment.GetEnvironmentVariable("AGENT_DEB") is { Length: > 0 } prebuilt && File.Exists(prebuilt))
            {
                return _path = prebuilt;
            }
            var output = await Command.RunCheckedAsync(Repository.Path("build.sh"), ["package", "linux-x64"], TimeSpan.FromMinutes(15));
            var deb = output.Split('\n').Select(l => l.Trim()).Last(l => l.EndsWith(".deb", StringComparison.Ordinal));
            _path = Path.IsPathRooted(deb) ? deb : Repository.Path(deb);
            Assert.True(File.Exists(_path), $"{_path} missing after ./build.sh package:\n{output}");
            return _path;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Effective uid 0, from the second field of Uid: in /proc/self/status.</summary>
    private static bool IsRoot() =>
        File.ReadLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal)
            && l["Uid:".Length..].Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0");
}
