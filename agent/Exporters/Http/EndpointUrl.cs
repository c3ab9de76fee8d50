namespace Agent.Exporters.Http;

/// <summary>Keeps the password of http://user:secret@host/ out of every line the agent prints.</summary>
public static class EndpointUrl
{
    public static Uri WithoutUserInfo(Uri uri) =>
        uri.UserInfo.Length == 0 ? uri : new Uri(uri.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped));

    /// <summary>For text that may not even parse as a URL: "scheme://user:pw@rest" (or "scheme:/user:pw@rest") becomes "scheme://***@rest".</summary>
    public static string Redact(string url)
    {
        var scheme = url.IndexOf(':');
        if (scheme < 0) return url;
        var authorityStart = scheme + 1;
        while (authorityStart < url.Length && url[authorityStart] == '/') authorityStart++;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0) authorityEnd = url.Length;
        var at = url.LastIndexOf('@', authorityEnd - 1, authorityEnd - authorityStart);
        return at < 0 ? url : string.Concat(url.AsSpan(0, authorityStart), "***", url.AsSpan(at));
    }
}
