using System.Text;

namespace Agent.Config;

/// <summary>
/// Expands ${VAR} and ${VAR:-default} from the environment inside string values (not in raw
/// text, so a value can never inject TOML). "$$" is a literal "$".
/// </summary>
public static class EnvExpander
{
    /// <summary>Returns the expanded value, or null with <paramref name="error"/> set.</summary>
    public static string? Expand(string value, Func<string, string?> lookup, out string? error)
    {
        error = null;
        if (value.IndexOf('$') < 0) return value;
        var sb = new StringBuilder(value.Length + 16);
        var i = 0;
        while (i < value.Length)
        {
            var c = value[i];
            if (c != '$' || i + 1 >= value.Length)
            {
                sb.Append(c);
                i++;
                continue;
            }
            var next = value[i + 1];
            if (next == '$')
            {
                sb.Append('$');
                i += 2;
                continue;
            }
            if (next != '{')
            {
                sb.Append(c);
                i++;
                continue;
            }
            var close = value.IndexOf('}', i + 2);
            if (close < 0)
            {
                error = $"unterminated ${{ in \"{value}\"";
                return null;
            }
            var body = value.AsSpan(i + 2, close - i - 2);
            var sep = body.IndexOf(":-");
            var name = (sep >= 0 ? body[..sep] : body).ToString();
            if (!IsName(name))
            {
                error = $"invalid environment variable name \"{name}\" in \"{value}\"";
                return null;
            }
            var found = lookup(name);
            if (string.IsNullOrEmpty(found))
            {
                if (sep < 0)
                {
                    error = $"environment variable {name} is not set (use ${{{name}:-default}} for a default)";
                    return null;
                }
                found = body[(sep + 2)..].ToString();
            }
            sb.Append(found);
            i = close + 1;
        }
        return sb.ToString();
    }

    private static bool IsName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0])) return false;
        foreach (var ch in name)
        {
            if (!char.IsAsciiLetterOrDigit(ch) && ch != '_') return false;
        }
        return true;
    }
}
