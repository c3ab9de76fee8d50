using System.Text.Json.Serialization;

namespace Agent.Config;

/// <summary>
/// [remote_write.tls] / [loki.tls]: Prometheus' tls_config keys. Files are read when a
/// connection is made and again whenever they change, so certificates rotate without a restart.
/// </summary>
public sealed class TlsConfig : ConfigTable
{
    /// <summary>PEM bundle of the CAs that may sign the server's certificate; empty: the system's roots.</summary>
    [JsonPropertyName("ca_file")]
    public string CaFile { get; set; } = "";
    /// <summary>PEM client certificate (mTLS), with key_file.</summary>
    [JsonPropertyName("cert_file")]
    public string CertFile { get; set; } = "";
    [JsonPropertyName("key_file")]
    public string KeyFile { get; set; } = "";
    /// <summary>Name the server's certificate must carry when it differs from the URL's host.</summary>
    [JsonPropertyName("server_name")]
    public string ServerName { get; set; } = "";
    /// <summary>Accepts any server certificate: for a first try only, warned about at every start.</summary>
    [JsonPropertyName("insecure_skip_verify")]
    public bool InsecureSkipVerify { get; set; }
    /// <summary>"TLS12" or "TLS13".</summary>
    [JsonPropertyName("min_version")]
    public string MinVersion { get; set; } = "TLS12";

    [JsonIgnore] public System.Security.Authentication.SslProtocols Protocols { get; set; } =
        System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;

    /// <summary>Whether anything here changes the defaults (a table present but empty is like none).</summary>
    [JsonIgnore] public bool Configured =>
        CaFile.Length > 0 || CertFile.Length > 0 || ServerName.Length > 0 || InsecureSkipVerify || MinVersion != "TLS12";
}
