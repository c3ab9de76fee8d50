using System.Runtime.InteropServices;

namespace Agent.Logs;

/// <summary>
/// The operating system's own words for a failed file operation ("permission denied"): the
/// runtime is built with resource keys instead of messages, so exception messages are not shown.
/// </summary>
internal static class IoErrorText
{
    public static string Of(int errno)
    {
        var text = Marshal.GetPInvokeErrorMessage(errno);
        return text.Length > 1 && char.IsUpper(text[0]) && char.IsLower(text[1]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;
    }

    public static string Of(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        FileNotFoundException or DirectoryNotFoundException => "no such file or directory",
        PathTooLongException => "file name too long",
        // On Unix the runtime keeps errno as the HResult of a plain IOException.
        IOException io when !OperatingSystem.IsWindows() && io.HResult is > 0 and < 4096 => Of(io.HResult),
        _ => "input/output error",
    };
}
