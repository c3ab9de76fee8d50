using System.Net.Http;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Agent.Telemetry;

/// <summary>
/// A sentence for an exception we can meet, for log lines, `agent check` lines and errors.
/// The binary is built with UseSystemResourceKeys (smaller), so .NET's own messages are resource
/// keys ("IO_FileNotFound_FileName, /x"); this maps the exception types to words of our own,
/// keeping the facts (path, errno text, offset) and dropping the key.
/// </summary>
public static class ErrorText
{
    public static string Of(Exception e)
    {
        try
        {
            return Describe(e);
        }
        catch (Exception)
        {
            // Out of file descriptors, even loading a type to compare against can fail; the
            // helper that reports a failure must not become one.
            return Words(e.GetType().Name.Replace("Exception", "", StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// Types of CoreLib and sockets first: the JIT resolves every type a method names, and when
    /// the process is out of file descriptors it cannot open System.Net.Http.dll to compare
    /// against (the published native binary has no such step; the tests run the JIT build).
    /// </summary>
    private static string Describe(Exception e)
    {
        // Without resource keys (tests, a build that keeps them) .NET's own sentence is better than ours.
        if (e is IOException or UnauthorizedAccessException && !IsResourceKey(e.Message)) return e.Message;
        switch (e)
        {
            case FileNotFoundException f:
                return $"{PathIn(f.FileName, f.Message)}: no such file";
            case DirectoryNotFoundException d:
                return $"{PathIn(null, d.Message)}: a directory on the path does not exist";
            case PathTooLongException p:
                return $"{PathIn(null, p.Message)}: path too long";
            case UnauthorizedAccessException u:
                return $"{PathIn(null, u.Message)}: permission denied";
            case SocketException s:
                return s.Message.Length > 0 && !IsResourceKey(s.Message) ? s.Message : $"socket error {s.SocketErrorCode}";
            case TaskCanceledException or OperationCanceledException or TimeoutException:
                return "timed out";
            case OutOfMemoryException:
                return "out of memory";
            case IOException io:
                return IoMessage(io);
            case AggregateException { InnerExceptions.Count: > 0 } aggregate:
                return Of(aggregate.InnerExceptions[0]);
        }
        return DescribeOther(e);
    }

    private static string DescribeOther(Exception e)
    {
        switch (e)
        {
            case HttpRequestException h:
                return Http(h);
            case RegexParseException r:
                return $"{Words(r.Error.ToString())} at offset {r.Offset}";
            case System.Security.Authentication.AuthenticationException a:
                return a.InnerException is { } inner && inner != a ? $"TLS handshake failed: {Of(inner)}" : "TLS handshake failed";
        }
        if (!IsResourceKey(e.Message)) return e.Message;
        return e.InnerException is { } cause ? Of(cause) : Words(e.GetType().Name.Replace("Exception", "", StringComparison.Ordinal));
    }

    /// <summary>Whether a text starts like a .NET resource key: an identifier with an underscore, then the end or ", ".</summary>
    public static bool IsResourceKey(string text)
    {
        var end = 0;
        var underscore = false;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
        {
            underscore |= text[end] == '_';
            end++;
        }
        return underscore && end > 2 && (end == text.Length || text[end] == ',');
    }

    private static string Http(HttpRequestException h)
    {
        var what = h.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "host name not found",
            HttpRequestError.ConnectionError => "cannot connect",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            HttpRequestError.HttpProtocolError => "HTTP protocol error",
            HttpRequestError.ResponseEnded => "the server closed the connection before answering",
            HttpRequestError.InvalidResponse => "invalid HTTP response",
            HttpRequestError.ProxyTunnelError => "proxy tunnel failed",
            HttpRequestError.ConfigurationLimitExceeded => "response exceeds a configured limit",
            HttpRequestError.ExtendedConnectNotSupported or HttpRequestError.VersionNegotiationError => "HTTP version not supported by the server",
            HttpRequestError.UserAuthenticationError => "proxy credentials rejected",
            _ => "HTTP request failed",
        };
        if (h.InnerException is not { } inner) return what;
        var cause = Of(inner);
        return cause == what ? what : $"{what}: {cause}";
    }

    /// <summary>
    /// On Unix an IOException for a failed system call carries the errno as its HResult; the C
    /// library's own text for it ("No space left on device") is a sentence and needs no resources.
    /// </summary>
    private static string IoMessage(IOException io)
    {
        if (!IsResourceKey(io.Message)) return io.Message;
        var path = Arguments(io.Message);
        var errno = io.HResult;
        var text = errno is > 0 and < 4096 ? Marshal.GetPInvokeErrorMessage(errno) : "";
        if (text.Length == 0 || IsResourceKey(text))
        {
            text = KeyName(io.Message) switch
            {
                var k when k.StartsWith("IO_FileExists", StringComparison.Ordinal) => "already exists",
                var k when k.StartsWith("IO_AlreadyExists", StringComparison.Ordinal) => "already exists",
                var k when k.StartsWith("IO_SharingViolation", StringComparison.Ordinal) => "in use by another process",
                var k when k.StartsWith("IO_DiskFull", StringComparison.Ordinal) => "no space left on device",
                _ => "input/output error",
            };
        }
        return path.Length > 0 ? $"{path}: {text}" : text;
    }

    private static string PathIn(string? fileName, string message)
    {
        if (!string.IsNullOrEmpty(fileName)) return fileName;
        var arguments = Arguments(message);
        return arguments.Length > 0 ? arguments : IsResourceKey(message) ? "file" : message;
    }

    /// <summary>With resource keys, .NET writes "Key, arg1, arg2": the first argument is the path.</summary>
    private static string Arguments(string message)
    {
        if (!IsResourceKey(message)) return "";
        var comma = message.IndexOf(", ", StringComparison.Ordinal);
        if (comma < 0) return "";
        var rest = message[(comma + 2)..];
        // A FileNotFoundException adds " IO_FileName_Name, <same path>" after the path.
        var again = rest.IndexOf(' ');
        while (again > 0 && again + 1 < rest.Length && !IsResourceKey(rest[(again + 1)..]))
        {
            again = rest.IndexOf(' ', again + 1);
        }
        return again > 0 ? rest[..again] : rest;
    }

    private static string KeyName(string message)
    {
        var comma = message.IndexOf(',');
        return comma < 0 ? message : message[..comma];
    }

    /// <summary>"UnterminatedBracket" → "unterminated bracket".</summary>
    private static string Words(string name)
    {
        var text = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsAsciiLetterUpper(name[i]) && i > 0) text.Append(' ');
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }
}
