namespace Agent.Cli;

/// <summary>`agent check` output: one line per check, PASS/WARN/FAIL first so it greps well.</summary>
internal sealed class CheckReport(TextWriter output)
{
    public int Failures { get; private set; }

    public void Pass(string what, string detail) => Line("PASS", what, detail);

    /// <summary>Worth knowing, not wrong: a glob with no file yet, a collector not available here.</summary>
    public void Warn(string what, string detail) => Line("WARN", what, detail);

    public void Fail(string what, string detail)
    {
        Failures++;
        Line("FAIL", what, detail);
    }

    private void Line(string status, string what, string detail) => output.WriteLine($"{status}  {what,-18} {detail}");
}
