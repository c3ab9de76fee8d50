namespace Agent.Exporters.Http;

/// <summary>
/// Keeps credentials out of every line the agent prints: the password of
/// http://user:secret@host/ and the values of a query string (?api_key=..., ?token=...), which
/// some hosted endpoints take instead of a header.
/// </summary>
public static class EndpointUrl
{
    public static Uri WithoutUserInfo(Uri uri) =>
        uri.UserInfo.Length == 0 ? uri : new Uri(uri.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped));

    /// <summary>What logs, `agent check` and errors show of a parsed URL.</summary>
    public static string Display(Uri uri) => Redact(uri.AbsoluteUri);

    /// <summary>
    /// For text that may not even parse as a URL: "scheme://user:pw@rest" (or "scheme:/user:pw@rest")
    /// becomes "scheme://***@rest", and every query value becomes "***" ("?key=***&amp;x=***").
    /// </summary>
    public static string Redact(string url)
    {
        var scheme = url.IndexOf(':');
        if (scheme < 0) return RedactQuery(url);
        var authorityStart = scheme + 1;
        while (authorityStart < url.Length && url[authorityStart] == '/') authorityStart++;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0) authorityEnd = url.Length;
        var at = authorityEnd > authorityStart ? url.LastIndexOf('@', authorityEnd - 1, authorityEnd - authorityStart) : -1;
        var withoutUser = at < 0 ? url : string.Concat(url.AsSpan(0, authorityStart), "***", url.AsSpan(at));
        return RedactQuery(withoutUser);
    }

    private static string RedactQuery(string url)
    {
        var query = url.IndexOf('?');
        if (query < 0) return url;
        var fragment = url.IndexOf('#', query);
        var end = fragment < 0 ? url.Length : fragment;
        var text = new System.Text.StringBuilder(url.Length);
        text.Append(url, 0, query + 1);
        var start = query + 1;
        while (start < end)
        {
            var amp = url.IndexOf('&', start, end - start);
            var stop = amp < 0 ? end : amp;
            var eq = url.IndexOf('=', start, stop - start);
            if (eq < 0) text.Append(url, start, stop - start);
            else text.Append(url, start, eq - start + 1).Append("***");
            if (amp < 0) break;
            text.Append('&');
            start = amp + 1;
        }
        // A fragment is never sent, but may have been pasted with a token in it.
        if (fragment >= 0) text.Append("#***");
        return text.ToString();
    }
}
