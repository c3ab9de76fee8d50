using System.Net.Http;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Agent.Telemetry;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Telemetry;

/// <summary>The exceptions we meet, raised for real (this process also runs with resource keys), each turned into a sentence.</summary>
public sealed class ErrorTextTests
{
    private static Exception Caught(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            return e;
        }
        throw new InvalidOperationException("did not throw");
    }

    /// <summary>The messages the published binary gives (UseSystemResourceKeys), as captured from it.</summary>
    public static TheoryData<string, string> Cases() => new()
    {
        { "missing file", "/var/log/x.log: no such file" },
        { "missing dir", "/tmp/afile/sub: a directory on the path does not exist" },
        { "denied", "/root/x: permission denied" },
        { "exists", "/tmp/afile: File exists" },
        { "overflow", "overflow" },
        { "http", "cannot connect: Connection refused" },
    };

    private static Exception Raise(string what) => what switch
    {
        "missing file" => new FileNotFoundException("IO_FileNotFound_FileName, /var/log/x.log IO_FileName_Name, /var/log/x.log", "/var/log/x.log"),
        "missing dir" => new DirectoryNotFoundException("IO_PathNotFound_Path, /tmp/afile/sub"),
        "denied" => new UnauthorizedAccessException("UnauthorizedAccess_IODenied_Path, /root/x"),
        "exists" => new IOException("IO_FileExists_Name, /tmp/afile", 17),
        "overflow" => new OverflowException("Overflow_TimeSpanTooLong"),
        "http" => new HttpRequestException(HttpRequestError.ConnectionError, "net_http_client_execution_error",
            new SocketException((int)SocketError.ConnectionRefused)),
        _ => throw new ArgumentOutOfRangeException(nameof(what)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Exceptions_become_sentences_without_resource_keys(string what, string expected)
    {
        var text = ErrorText.Of(Raise(what));
        Assert.Equal(expected, text);
        Assert.Null(ResourceKeys.Find(text));
    }

    [Fact]
    public void Regex_errors_name_the_problem_and_offset()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new Regex("(unclosed"));
        Assert.Equal("insufficient closing parentheses at offset 9", ErrorText.Of(e));
    }

    [Fact]
    public async Task Connection_refused_names_the_cause()
    {
        var port = FreePort.Next();
        using var http = new HttpClient();
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{port}/"));
        var text = ErrorText.Of(e);
        Assert.StartsWith("cannot connect: Connection refused", text);
        Assert.Null(ResourceKeys.Find(text));
    }

    [Fact]
    public void Socket_errors_keep_the_system_text()
    {
        Assert.Equal("Connection refused", ErrorText.Of(new SocketException((int)SocketError.ConnectionRefused)));
    }

    [Theory]
    [InlineData("IO_FileNotFound_FileName, /x", true)]
    [InlineData("net_http_ssl_connection_failed", true)]
    [InlineData("Connection refused", false)]
    [InlineData("no_such thing", false)]
    [InlineData("a_b", true)]
    public void Resource_keys_are_recognised(string text, bool isKey)
    {
        Assert.Equal(isKey, ErrorText.IsResourceKey(text));
    }
}
