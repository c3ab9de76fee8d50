using System.Text.RegularExpressions;

namespace Agent.Tests.Support;

/// <summary>
/// Finds .NET resource keys in output: with UseSystemResourceKeys an exception's message is its key
/// ("IO_FileNotFound_FileName", "net_http_ssl_connection_failed", a regex's "MakeException"), which
/// must never reach a user: every such message is to be turned into a sentence first.
/// </summary>
public static partial class ResourceKeys
{
    [GeneratedRegex(@"\b(?:[A-Z][A-Za-z]*_[A-Z][A-Za-z]*(?:_[A-Za-z]+)*|net_[a-z]+(?:_[a-z]+)+|MakeException)\b")]
    private static partial Regex Key();

    /// <summary>The first key in the text, or null.</summary>
    public static string? Find(string text)
    {
        var match = Key().Match(text);
        return match.Success ? match.Value : null;
    }
}
