namespace Agent.Config;

internal sealed partial class ConfigValidator
{
    /// <summary>Labels the journal source sets from each entry's fields.</summary>
    private static readonly string[] JournalFieldLabels = ["unit", "syslog_identifier", "transport", "level"];

    private void ValidateJournal(JournalLogsSection journal)
    {
        const string at = "logs.journal";
        Unknown(journal, at);
        ValidateSource(journal, at);
        foreach (var name in JournalFieldLabels)
        {
            if (journal.Labels.ContainsKey(name)) Problem($"{at}.labels.{name}", $"\"{name}\" is set from each entry's fields");
        }
        journal.Path = PathValue(journal.Path, at + ".path");
        journal.MaxAge = Expand(journal.MaxAge, at + ".max_age");
        journal.MaxAgeValue = DurationIn(journal.MaxAge, at + ".max_age", Minutes(1), TimeSpan.FromDays(28));
        for (var i = 0; i < journal.Matches.Count; i++)
        {
            var term = journal.Matches[i] = Expand(journal.Matches[i], at + ".matches");
            if (MatchProblem(term) is { } problem) Problem(at + ".matches", $"\"{term}\" {problem}");
        }
        if (journal.Matches.Count > 0 && (journal.Matches[0] == "+" || journal.Matches[^1] == "+"))
        {
            Problem(at + ".matches", "\"+\" goes between two groups of terms, not first or last");
        }
    }

    /// <summary>
    /// Null for "+" or a FIELD=VALUE term libsystemd takes: the field name of upper-case letters,
    /// digits and '_', not starting with a digit (journal field names, trusted "_" ones included).
    /// </summary>
    internal static string? MatchProblem(string term)
    {
        if (term == "+") return null;
        var equals = term.IndexOf('=');
        if (equals < 0) return "is not FIELD=VALUE (like \"_SYSTEMD_UNIT=sshd.service\") or \"+\"";
        if (equals == 0) return "has no field name before '='";
        if (equals > 64) return "has a field name longer than 64 characters";
        if (char.IsAsciiDigit(term[0])) return "has a field name starting with a digit";
        for (var i = 0; i < equals; i++)
        {
            var c = term[i];
            if (!char.IsAsciiLetterUpper(c) && !char.IsAsciiDigit(c) && c != '_') return "has a field name that is not upper-case letters, digits and '_'";
        }
        return null;
    }
}
