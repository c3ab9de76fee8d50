using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Agent.Tests.Support;

/// <summary>
/// An SMTP server on a free 127.0.0.1 port that accepts every message and keeps it, for tests
/// that follow an alert to the inbox (Alertmanager's email receiver with smtp_require_tls false).
/// Speaks just enough of RFC 5321: greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<Mail> _mails = [];

    public SmtpSink()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <param name="Text">The message with quoted-printable soft breaks and =XX escapes undone, for searching.</param>
    public sealed record Mail(DateTime ReceivedUtc, string From, IReadOnlyList<string> To, string Subject, string Data, string Text);

    public IReadOnlyList<Mail> Mails
    {
        get { lock (_mails) return [.. _mails]; }
    }

    /// <summary>Waits for a message that satisfies <paramref name="match"/>.</summary>
    public async Task<Mail> WaitForAsync(Func<Mail, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var found = Mails.FirstOrDefault(match);
            if (found is not null) return found;
            await Task.Delay(250);
        }
        var seen = string.Join("\n", Mails.Select(m => $"{m.ReceivedUtc:HH:mm:ss} {m.Subject}"));
        throw new TimeoutException($"no email {what} within {timeout}; received:\n{seen}");
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 127.0.0.1 test SMTP sink");
            var from = "";
            var to = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                    case "HELO":
                        await writer.WriteLineAsync("250 127.0.0.1");
                        break;
                    case "MAIL":
                        from = line[(line.IndexOf(':') + 1)..].Trim();
                        to.Clear();
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RCPT":
                        to.Add(line[(line.IndexOf(':') + 1)..].Trim());
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 end with <CRLF>.<CRLF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } dataLine && dataLine != ".")
                        {
                            data.AppendLine(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine);
                        }
                        var text = data.ToString();
                        lock (_mails) _mails.Add(new Mail(DateTime.UtcNow, from, [.. to], HeaderOf(text, "Subject"), text, Unquote(text)));
                        await writer.WriteLineAsync("250 OK queued");
                        break;
                    case "RSET":
                    case "NOOP":
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 command not implemented");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>An unfolded header value (continuation lines start with white space).</summary>
    private static string HeaderOf(string message, string name)
    {
        var lines = message.Split("\r\n") is { Length: > 1 } crlf ? crlf : message.Split('\n');
        for (var i = 0; i < lines.Length && lines[i].Length > 0; i++)
        {
            if (!lines[i].StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)) continue;
            var value = new StringBuilder(lines[i][(name.Length + 1)..].Trim());
            while (i + 1 < lines.Length && lines[i + 1].Length > 0 && char.IsWhiteSpace(lines[i + 1][0]))
            {
                value.Append(' ').Append(lines[++i].Trim());
            }
            return value.ToString();
        }
        return "";
    }

    private static string Unquote(string text)
    {
        var joined = text.Replace("=\r\n", "", StringComparison.Ordinal).Replace("=\n", "", StringComparison.Ordinal);
        var sb = new StringBuilder(joined.Length);
        for (var i = 0; i < joined.Length; i++)
        {
            if (joined[i] == '=' && i + 2 < joined.Length && Uri.IsHexDigit(joined[i + 1]) && Uri.IsHexDigit(joined[i + 2]))
            {
                sb.Append((char)Convert.ToInt32(joined.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                sb.Append(joined[i]);
            }
        }
        return sb.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
