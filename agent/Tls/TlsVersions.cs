using System.Security.Authentication;

namespace Agent.Tls;

/// <summary>min_version as Prometheus writes it ("TLS12", "TLS13"), shared by [*.tls] and the web config.</summary>
public static class TlsVersions
{
    public static bool TryParse(string text, out SslProtocols protocols, out string problem)
    {
        problem = "";
        switch (text)
        {
            case "TLS12":
                protocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                return true;
            case "TLS13":
                protocols = SslProtocols.Tls13;
                return true;
            case "TLS10" or "TLS11":
                protocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                problem = $"\"{text}\" is not supported: TLS 1.0 and 1.1 are obsolete (RFC 8996); use \"TLS12\" or \"TLS13\"";
                return false;
            default:
                protocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                problem = $"\"{text}\" is not \"TLS12\" or \"TLS13\"";
                return false;
        }
    }
}
