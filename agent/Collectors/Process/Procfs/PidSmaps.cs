using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Process.Procfs;

/// <summary>Proportional set size and proportional swap from /proc/[pid]/smaps_rollup, in bytes.</summary>
public readonly record struct PidSmaps(long ProportionalBytes, long ProportionalSwapBytes);

public static class PidSmapsParser
{
    public static bool TryParse(ReadOnlySpan<byte> content, out PidSmaps smaps)
    {
        smaps = default;
        long pss = -1, swapPss = 0;
        foreach (var line in new LineEnumerator(content))
        {
            if (line.StartsWith("Pss:"u8)) pss = Kilobytes(line[4..]);
            else if (line.StartsWith("SwapPss:"u8)) swapPss = Kilobytes(line[8..]);
        }
        if (pss < 0) return false;
        smaps = new PidSmaps(pss * 1024, Math.Max(swapPss, 0) * 1024);
        return true;
    }

    private static long Kilobytes(ReadOnlySpan<byte> rest)
    {
        var fields = new FieldEnumerator(rest);
        return fields.MoveNext() && ProcNumbers.TryParseLong(fields.Current, out var kb) ? kb : -1;
    }
}
