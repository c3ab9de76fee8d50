namespace Agent.Collectors.Process.Procfs;

/// <summary>
/// argv from /proc/[pid]/cmdline, NUL-separated, as prometheus/procfs splits it: trailing NULs
/// dropped, empty (kernel threads, zombies) gives no arguments.
/// </summary>
public static class PidCmdlineParser
{
    public static string[] Parse(ReadOnlySpan<byte> content)
    {
        content = content.TrimEnd((byte)0);
        if (content.IsEmpty) return [];
        var args = new string[content.Count((byte)0) + 1];
        for (var i = 0; i < args.Length; i++)
        {
            var nul = content.IndexOf((byte)0);
            var arg = nul < 0 ? content : content[..nul];
            args[i] = System.Text.Encoding.UTF8.GetString(arg);
            content = nul < 0 ? default : content[(nul + 1)..];
        }
        return args;
    }
}
