using System.Text.RegularExpressions;

namespace Agent.Collectors.Process;

/// <summary>
/// One [[process.groups]] entry, process-exporter's matcher semantics: every selector given must
/// match; comm and exe lists are ORs (an exe with a slash must equal argv[0], without one it is
/// compared to argv[0]'s base name); cmdline regexes are ANDs over argv joined by spaces, and
/// their named captures feed {{.Matches.name}}.
/// </summary>
public sealed class GroupMatcher
{
    private readonly HashSet<string>? _comms;
    private readonly Dictionary<string, string>? _exes;
    private readonly Regex[] _cmdline;

    /// <exception cref="InvalidGroupException">The group cannot compile.</exception>
    public GroupMatcher(string name, IReadOnlyList<string>? comm, IReadOnlyList<string>? exe, IReadOnlyList<string>? cmdline)
    {
        if ((comm is null || comm.Count == 0) && (exe is null || exe.Count == 0) && (cmdline is null || cmdline.Count == 0))
        {
            throw new InvalidGroupException(null, "needs at least one of comm, exe or cmdline");
        }
        if (comm is { Count: > 0 }) _comms = new HashSet<string>(comm, StringComparer.Ordinal);
        if (exe is { Count: > 0 })
        {
            _exes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var e in exe) _exes[ProcessIdentity.BaseName(e)] = e.Contains('/', StringComparison.Ordinal) ? e : "";
        }
        _cmdline = [.. (cmdline ?? []).Select(CompileGoRegex)];
        try
        {
            Template = NameTemplate.Parse(name.Length == 0 ? "{{.ExeBase}}" : name);
        }
        catch (FormatException e)
        {
            throw new InvalidGroupException("name", e.Message, e);
        }
        var captures = _cmdline.SelectMany(r => r.GetGroupNames()).ToHashSet(StringComparer.Ordinal);
        foreach (var wanted in Template.MatchNames)
        {
            if (!captures.Contains(wanted)) throw new InvalidGroupException("name", $"{{{{.Matches.{wanted}}}}} names no capture group of the cmdline regexes (write (?P<{wanted}>...))");
        }
    }

    public NameTemplate Template { get; }

    /// <summary>process-exporter's packaged default: every process with a command line, named by comm.</summary>
    public static GroupMatcher Default() => new("{{.Comm}}", null, null, [".+"]);

    /// <summary>Go RE2 spells named groups (?P&lt;name&gt;...); .NET wants (?&lt;name&gt;...).</summary>
    private static Regex CompileGoRegex(string pattern)
    {
        try
        {
            return new Regex(pattern.Replace("(?P<", "(?<", StringComparison.Ordinal), RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new InvalidGroupException("cmdline", $"invalid regular expression \"{pattern}\": {Telemetry.ErrorText.Of(e)}", e);
        }
    }

    /// <summary>The group name when this matcher takes the process, else null.</summary>
    public string? Match(ProcessIdentity process, UserNames users)
    {
        if (_comms is not null && !_comms.Contains(process.Comm)) return null;
        if (_exes is not null)
        {
            if (process.Cmdline.Length == 0 || !_exes.TryGetValue(ProcessIdentity.BaseName(process.Cmdline[0]), out var full)) return null;
            if (full.Length > 0 && full != process.Cmdline[0]) return null;
        }
        Dictionary<string, string>? matches = null;
        if (_cmdline.Length > 0)
        {
            var joined = string.Join(' ', process.Cmdline);
            foreach (var regex in _cmdline)
            {
                var match = regex.Match(joined);
                if (!match.Success) return null;
                foreach (Group group in match.Groups)
                {
                    if (char.IsAsciiDigit(group.Name[0])) continue;
                    (matches ??= new Dictionary<string, string>(StringComparer.Ordinal))[group.Name] = group.Value;
                }
            }
        }
        return Template.Render(process, matches, Template.UsesUsername ? users.Lookup(process.EffectiveUid) : null);
    }
}
