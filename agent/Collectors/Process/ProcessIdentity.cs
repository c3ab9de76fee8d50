namespace Agent.Collectors.Process;

/// <summary>
/// What a group matches and names a process by, read once per (pid, start time): comm from
/// stat, argv from cmdline, the effective uid from status.
/// </summary>
public sealed class ProcessIdentity(int pid, string comm, string[] cmdline, int effectiveUid)
{
    public int Pid { get; } = pid;
    public string Comm { get; } = comm;
    public string[] Cmdline { get; } = cmdline;
    public int EffectiveUid { get; } = effectiveUid;

    /// <summary>argv[0], or comm when there is no command line (kernel threads), as process-exporter.</summary>
    public string ExeFull => Cmdline.Length > 0 ? Cmdline[0] : Comm;

    public string ExeBase => Cmdline.Length > 0 ? BaseName(Cmdline[0]) : Comm;

    /// <summary>Go's filepath.Base: the part after the last slash, trailing slashes ignored.</summary>
    public static string BaseName(string path)
    {
        var trimmed = path.TrimEnd('/');
        if (trimmed.Length == 0) return path.Length == 0 ? "." : "/";
        var slash = trimmed.LastIndexOf('/');
        return slash < 0 ? trimmed : trimmed[(slash + 1)..];
    }
}
