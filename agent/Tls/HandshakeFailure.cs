using Agent.Telemetry;

namespace Agent.Tls;

/// <summary>A TLS handshake with an endpoint that failed, as a sentence naming the host and the cause.</summary>
public sealed class TlsHandshakeException(string message, Exception inner) : IOException(message, inner);

public static class HandshakeFailure
{
    /// <summary>
    /// Turns the runtime's handshake failure into a sentence: the certificate problem our own
    /// check found, or what the server's TLS alert means (OpenSSL's text is kept in parentheses).
    /// </summary>
    /// <param name="refusal">Why our side refused the server's certificate, when it did.</param>
    /// <param name="sentCertificate">Whether a client certificate was configured (cert_file).</param>
    public static TlsHandshakeException Describe(string host, Exception failure, string? refusal, bool sentCertificate)
    {
        if (refusal is not null) return new TlsHandshakeException($"TLS handshake with {host} failed: {refusal}", failure);
        var detail = Innermost(failure);
        var lower = detail.ToLowerInvariant();
        string why;
        if (lower.Contains("wrong version number", StringComparison.Ordinal) || lower.Contains("packet length too long", StringComparison.Ordinal))
        {
            why = "the server does not speak TLS on this port (an https:// URL for a plain http server?)";
        }
        else if (lower.Contains("certificate required", StringComparison.Ordinal) || (!sentCertificate && lower.Contains("handshake failure", StringComparison.Ordinal)))
        {
            why = sentCertificate
                ? "the server refused the client certificate"
                : "the server requires a client certificate (set cert_file and key_file under tls)";
        }
        else if (lower.Contains("bad certificate", StringComparison.Ordinal) || lower.Contains("unknown ca", StringComparison.Ordinal)
            || lower.Contains("certificate unknown", StringComparison.Ordinal) || lower.Contains("unsupported certificate", StringComparison.Ordinal))
        {
            why = sentCertificate
                ? "the server refused the client certificate (is it signed by a CA the server trusts, and still valid?)"
                : "the server requires a client certificate it trusts (set cert_file and key_file under tls)";
        }
        else if (lower.Contains("protocol version", StringComparison.Ordinal) || lower.Contains("unsupported protocol", StringComparison.Ordinal))
        {
            why = "no TLS version in common with the server (see min_version)";
        }
        else
        {
            why = "the connection ended during the handshake";
        }
        return new TlsHandshakeException(detail.Length > 0 ? $"TLS handshake with {host} failed: {why} ({detail})" : $"TLS handshake with {host} failed: {why}", failure);
    }

    /// <summary>
    /// Whether a failed request failed in TLS: in the handshake, or (TLS 1.3) at the first read,
    /// where a server's refusal of the client certificate arrives as an alert after the client
    /// already thought the handshake done.
    /// </summary>
    public static bool IsTls(HttpRequestException e)
    {
        if (e.HttpRequestError == HttpRequestError.SecureConnectionError) return true;
        for (Exception? inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Security.Authentication.AuthenticationException) return true;
            if (inner.Message.Contains("SSL routines", StringComparison.Ordinal) || inner.Message.Contains(" alert ", StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>The deepest message that is a sentence rather than a runtime resource key (OpenSSL's error text).</summary>
    private static string Innermost(Exception failure)
    {
        var text = "";
        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            if (e.Message.Length > 0 && !ErrorText.IsResourceKey(e.Message) && e is not HttpRequestException) text = e.Message;
        }
        return text;
    }
}
