using Agent.Config;
using Agent.Logs.Journal;
using Agent.Telemetry;

namespace Agent.Cli;

/// <summary>
/// `agent check` for [logs.journal]: whether libsystemd loads, the journal opens, and this user
/// may read its files. libsystemd opens only the files it may read and says nothing of the
/// others, so an agent outside the systemd-journal and adm groups would start without error and
/// collect nothing: the files are opened here one by one to say so.
/// </summary>
internal static class JournalChecks
{
    private const string What = "logs.journal";
    private static readonly string[] SystemDirectories = ["/var/log/journal", "/run/log/journal"];

    public static void Journal(AgentConfig config, CheckReport report)
    {
        var journal = config.Logs.Journal;
        if (!journal.Enabled) return;
        if (config.Loki.Count == 0) report.Warn(What, "enabled but no [[loki]] endpoint: the journal is not read");
        if (LibSystemd.TryLoad(out var why) is not { } lib)
        {
            report.Fail(What, $"unavailable: {why} (everything else runs; [logs.journal] enabled = false says so)");
            return;
        }
        var where = journal.Path.Length == 0 ? "system journal" : journal.Path;
        var (readable, unreadable, firstUnreadable) = Files(journal.Path.Length == 0 ? SystemDirectories : [journal.Path]);
        if (unreadable > 0)
        {
            report.Fail(What, $"{where}: {unreadable} of {readable + unreadable} journal file(s) not readable by this user (e.g. {firstUnreadable}): "
                + "add the agent's user to group systemd-journal or adm");
        }
        try
        {
            using var handle = JournalHandle.Open(lib, journal.Path);
            foreach (var term in journal.Matches)
            {
                if (term == "+") handle.AddDisjunction();
                else handle.AddMatch(term);
            }
            var mib = handle.Usage() / 1024.0 / 1024.0;
            handle.SeekTail();
            var newest = handle.Previous()
                ? $"newest {(journal.Matches.Count > 0 ? "matching " : "")}entry {Age(handle.Realtime())} ago"
                : journal.Matches.Count > 0 ? "no entry matches yet" : "no entries yet";
            var detail = $"{where}: {readable} file(s), {mib:F1} MiB, {newest} ({LibSystemd.LibraryName})";
            if (unreadable > 0) return;
            if (readable == 0) report.Warn(What, $"{where}: no journal files yet (is systemd-journald running, or the path right?)");
            else report.Pass(What, detail);
        }
        catch (JournalException e)
        {
            report.Fail(What, $"unavailable: {e.Message}");
        }
    }

    private static string Age(ulong realtimeUsec)
    {
        var age = DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeMilliseconds((long)(realtimeUsec / 1000));
        return age.TotalSeconds < 120 ? $"{Math.Max(0, age.TotalSeconds):F0} s" : age.TotalMinutes < 120 ? $"{age.TotalMinutes:F0} min" : $"{age.TotalHours:F0} h";
    }

    /// <summary>Journal files under the directories (journald keeps them one machine-id directory down), by whether this user can open them.</summary>
    private static (int Readable, int Unreadable, string FirstUnreadable) Files(IEnumerable<string> directories)
    {
        int readable = 0, unreadable = 0;
        var first = "";
        var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 2, IgnoreInaccessible = false };
        foreach (var directory in directories)
        {
            if (!Directory.Exists(directory)) continue;
            IEnumerable<string> files;
            try
            {
                files = Directory.EnumerateFiles(directory, "*.journal*", options).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                unreadable++;
                if (first.Length == 0) first = $"{directory}: {ErrorText.Of(e)}";
                continue;
            }
            foreach (var file in files)
            {
                try
                {
                    using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    readable++;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    unreadable++;
                    if (first.Length == 0) first = file;
                }
            }
        }
        return (readable, unreadable, first);
    }
}
