using Agent.Exporters.Http;
using Agent.Tls;

namespace Agent.Config;

/// <summary>How endpoints are reached ([*.tls], proxy_url) and how /metrics is protected (web_config_file).</summary>
internal sealed partial class ConfigValidator
{
    private void ValidateTransport(EndpointConfig endpoint, string at, Uri? url)
    {
        endpoint.ProxyUrl = Expand(endpoint.ProxyUrl, at + ".proxy_url");
        if (endpoint.ProxyUrl.Length > 0)
        {
            if (!Uri.TryCreate(endpoint.ProxyUrl, UriKind.Absolute, out var proxy) || (proxy.Scheme != "http" && proxy.Scheme != "https"))
            {
                Problem(at + ".proxy_url", $"\"{EndpointUrl.Redact(endpoint.ProxyUrl)}\" is not an absolute http(s) URL (like \"http://proxy:3128\")");
            }
            else
            {
                endpoint.ProxyValue = proxy;
                endpoint.ProxyUrl = EndpointUrl.Display(proxy);
            }
        }
        if (endpoint.Tls is not { } tls) return;
        var t = at + ".tls";
        Unknown(tls, t);
        tls.CaFile = PathValue(tls.CaFile, t + ".ca_file");
        tls.CertFile = PathValue(tls.CertFile, t + ".cert_file");
        tls.KeyFile = PathValue(tls.KeyFile, t + ".key_file");
        tls.ServerName = HeaderValue(tls.ServerName, t + ".server_name");
        tls.MinVersion = Expand(tls.MinVersion, t + ".min_version");
        if (TlsVersions.TryParse(tls.MinVersion, out var protocols, out var why)) tls.Protocols = protocols;
        else Problem(t + ".min_version", why);
        if (url is not null && url.Scheme == "http" && tls.Configured)
        {
            Problem(t, "is set but the url is http://: TLS applies to https:// only");
        }
        if (tls.CertFile.Length > 0 != tls.KeyFile.Length > 0)
        {
            Problem(tls.CertFile.Length > 0 ? t + ".key_file" : t + ".cert_file", "cert_file and key_file go together (the client certificate and its private key)");
            return;
        }
        // Read now, so that a wrong path or a key that does not match fails at start with the key's line.
        try
        {
            if (tls.CaFile.Length > 0) PemFiles.Certificates(tls.CaFile);
        }
        catch (TlsFileException e)
        {
            Problem(t + ".ca_file", e.Message);
        }
        try
        {
            if (tls.CertFile.Length > 0) PemFiles.KeyPair(tls.CertFile, tls.KeyFile);
        }
        catch (TlsFileException e)
        {
            Problem(t + ".cert_file", e.Message);
        }
    }

    private void ValidateWebConfig(HttpSection http)
    {
        http.WebConfigFile = PathValue(http.WebConfigFile, "http.web_config_file");
        if (http.WebConfigFile.Length == 0) return;
        try
        {
            Serving.Web.WebConfig.Load(http.WebConfigFile);
        }
        catch (Serving.Web.WebConfigException e)
        {
            foreach (var problem in e.Problems) Problem("http.web_config_file", problem);
        }
    }
}
