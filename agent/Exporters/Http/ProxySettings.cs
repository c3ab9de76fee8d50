using System.Net;

namespace Agent.Exporters.Http;

/// <summary>proxy_url as a proxy: user:password in it becomes the proxy's credentials, never part of a printed URL.</summary>
public static class ProxySettings
{
    public static IWebProxy For(Uri url)
    {
        var proxy = new WebProxy(EndpointUrl.WithoutUserInfo(url));
        if (url.UserInfo.Length > 0)
        {
            var colon = url.UserInfo.IndexOf(':');
            var user = Uri.UnescapeDataString(colon < 0 ? url.UserInfo : url.UserInfo[..colon]);
            var password = colon < 0 ? "" : Uri.UnescapeDataString(url.UserInfo[(colon + 1)..]);
            proxy.Credentials = new NetworkCredential(user, password);
        }
        return proxy;
    }
}
