using Xunit;

namespace Agent.Tests.Support;

/// <summary>
/// The real Docker engine the container tests run against (Debian's docker.io; .ci/run starts
/// dockerd). No registry is reachable, so the test image is imported from busybox-static.
/// Without an engine a test skips on a laptop and fails under CI=true.
/// </summary>
public static class DockerEngine
{
    public const string Socket = "/var/run/docker.sock";
    public const string Image = "agent-test/busybox:latest";
    private static readonly SemaphoreSlim ImageGate = new(1, 1);
    private static bool _imageReady;

    public static Uri Endpoint { get; } = new("unix://" + Socket);

    /// <summary>Skips (or fails in CI) unless the engine answers; makes sure the test image exists.</summary>
    public static async Task RequireAsync()
    {
        var docker = ServerBinary.FindOnPath("docker");
        string? problem = null;
        if (docker is null) problem = "docker CLI not found on PATH";
        else if (!File.Exists(Socket)) problem = $"{Socket} does not exist (dockerd not running)";
        else
        {
            var (code, _, err) = await RunAsync(["version", "--format", "{{.Server.APIVersion}}"], TimeSpan.FromSeconds(20));
            if (code != 0) problem = $"docker version failed: {err.Trim()}";
        }
        if (problem is not null)
        {
            if (ServerBinary.InCi) Assert.Fail(problem + " (CI=true: .ci/run must install docker.io and start dockerd)");
            Assert.Skip(problem);
        }
        await EnsureImageAsync();
    }

    /// <summary>A unique container name for this test run, so parallel or leftover runs never collide.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    public static async Task<string> RunCheckedAsync(IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var list = args.ToList();
        var (code, stdout, stderr) = await RunAsync(list, timeout ?? TimeSpan.FromSeconds(60));
        if (code != 0) throw new InvalidOperationException($"docker {string.Join(' ', list)} exited {code}: {stderr.Trim()}");
        return stdout.Trim();
    }

    public static Task<(int Code, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args, TimeSpan timeout, string? stdinFile = null) =>
        Command.RunAsync("docker", args, timeout, stdinFile: stdinFile);

    /// <summary>Removes containers by name, ignoring ones already gone.</summary>
    public static async Task RemoveAsync(params string[] names)
    {
        if (names.Length > 0) await RunAsync(["rm", "-f", .. names], TimeSpan.FromSeconds(30));
    }

    private static async Task EnsureImageAsync()
    {
        await ImageGate.WaitAsync();
        try
        {
            if (_imageReady) return;
            var (code, _, _) = await RunAsync(["image", "inspect", Image], TimeSpan.FromSeconds(20));
            if (code != 0) await ImportBusyboxAsync();
            _imageReady = true;
        }
        finally
        {
            ImageGate.Release();
        }
    }

    /// <summary>A one-binary image: busybox-static and the applet links the tests use.</summary>
    private static async Task ImportBusyboxAsync()
    {
        const string busybox = "/bin/busybox";
        if (!File.Exists(busybox))
        {
            const string why = "/bin/busybox not found (apt-get install busybox-static) to build the test image";
            if (ServerBinary.InCi) Assert.Fail(why);
            Assert.Skip(why);
        }
        var root = Directory.CreateTempSubdirectory("agent-busybox-");
        var tar = root.FullName + ".tar";
        try
        {
            var bin = Directory.CreateDirectory(Path.Combine(root.FullName, "bin"));
            File.Copy(busybox, Path.Combine(bin.FullName, "busybox"));
            foreach (var applet in new[] { "sh", "sleep", "echo", "cat", "yes", "dd", "head", "seq", "true", "false", "printf", "tail", "sed" })
            {
                File.CreateSymbolicLink(Path.Combine(bin.FullName, applet), "busybox");
            }
            Directory.CreateDirectory(Path.Combine(root.FullName, "tmp"));
            await System.Formats.Tar.TarFile.CreateFromDirectoryAsync(root.FullName, tar, includeBaseDirectory: false);
            var (code, _, err) = await RunAsync(["import", "-", Image], TimeSpan.FromSeconds(60), stdinFile: tar);
            if (code != 0) throw new InvalidOperationException($"docker import failed: {err.Trim()}");
        }
        finally
        {
            root.Delete(recursive: true);
            File.Delete(tar);
        }
    }
}
