using System.Globalization;

namespace Agent.Collectors.Process;

/// <summary>
/// uid to user name for {{.Username}}, from the host's /etc/passwd, read when first needed and
/// cached; an unknown uid is its number, as Go's user.LookupId failing makes process-exporter use.
/// </summary>
public sealed class UserNames(string passwdPath)
{
    private Dictionary<int, string>? _names;

    public string Lookup(int uid)
    {
        _names ??= Load(passwdPath);
        if (!_names.TryGetValue(uid, out var name))
        {
            name = uid.ToString(CultureInfo.InvariantCulture);
            _names[uid] = name;
        }
        return name;
    }

    private static Dictionary<int, string> Load(string path)
    {
        var names = new Dictionary<int, string>();
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                var fields = line.Split(':');
                if (fields.Length > 2 && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)) names.TryAdd(uid, fields[0]);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without passwd every uid is shown as its number.
        }
        return names;
    }
}
