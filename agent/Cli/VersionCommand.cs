using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Agent.Cli;

/// <summary>`agent version`: what is running, for bug reports.</summary>
public static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print version, commit, runtime and platform");
        command.SetAction(_ =>
        {
            var (version, commit) = Read();
            Console.WriteLine($"agent {version}");
            Console.WriteLine($"commit:  {commit}");
            Console.WriteLine($"runtime: {RuntimeInformation.FrameworkDescription}");
            Console.WriteLine($"rid:     {RuntimeInformation.RuntimeIdentifier}");
            Console.WriteLine($"aot:     {!System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The SDK stamps "version+commit" into the informational version.</summary>
    public static (string Version, string Commit) Read()
    {
        var informational = typeof(VersionCommand).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+');
        return plus < 0 ? (informational, "unknown") : (informational[..plus], informational[(plus + 1)..]);
    }
}
