using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Process.Procfs;

/// <summary>The soft "Max open files" limit from /proc/[pid]/limits; "unlimited" is <see cref="ulong.MaxValue"/>.</summary>
public static class PidLimitsParser
{
    public static bool TryParseOpenFiles(ReadOnlySpan<byte> content, out ulong softLimit)
    {
        softLimit = 0;
        foreach (var line in new LineEnumerator(content))
        {
            if (!line.StartsWith("Max open files"u8)) continue;
            var fields = new FieldEnumerator(line[14..]);
            if (!fields.MoveNext()) return false;
            if (fields.Current.SequenceEqual("unlimited"u8))
            {
                softLimit = ulong.MaxValue;
                return true;
            }
            if (!ProcNumbers.TryParseLong(fields.Current, out var value) || value < 0) return false;
            softLimit = (ulong)value;
            return true;
        }
        return false;
    }
}
