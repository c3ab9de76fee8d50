namespace Agent.Cli;

/// <summary>The exit codes scripts and systemd rely on.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>`check` found a problem (an endpoint down, a log file unreadable).</summary>
    public const int CheckFailed = 1;
    /// <summary>Bad command line or bad config: fix the input, retrying will not help.</summary>
    public const int BadInput = 2;
}
