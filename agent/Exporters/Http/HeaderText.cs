namespace Agent.Exporters.Http;

/// <summary>
/// What may go into a request header. Headers are added without .NET's validation (it would
/// reject some values servers accept), so a CR or LF from a ${VAR} or a token file would
/// otherwise end the header and start one of the sender's choosing.
/// </summary>
public static class HeaderText
{
    /// <summary>An RFC 9110 token: letters, digits and !#$%&amp;'*+-.^_`|~.</summary>
    public static bool IsName(string name)
    {
        if (name.Length == 0) return false;
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && "!#$%&'*+-.^_`|~".IndexOf(c) < 0) return false;
        }
        return true;
    }

    /// <summary>No control character but tab: no CR, LF or NUL.</summary>
    public static bool IsValue(string value)
    {
        foreach (var c in value)
        {
            if ((c < ' ' && c != '\t') || c == '\u007f') return false;
        }
        return true;
    }
}
