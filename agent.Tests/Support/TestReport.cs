namespace Agent.Tests.Support;

/// <summary>
/// Figures a test must print (coverage, loss and duplicate counts). The test runner hides a
/// passing test's output, so they also go to artifacts/test-report.txt, which `./build.sh test`
/// prints at the end.
/// </summary>
public static class TestReport
{
    private static readonly Lock Gate = new();

    public static void Write(string line)
    {
        Console.WriteLine(line);
        var path = Repository.Path("artifacts", "test-report.txt");
        lock (Gate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.AppendAllText(path, $"{DateTime.UtcNow:u} {line}{Environment.NewLine}");
        }
    }
}
