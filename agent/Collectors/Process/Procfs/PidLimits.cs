using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Process.Procfs;

/// <summary>Soft limits from /proc/[pid]/limits; "unlimited" is <see cref="ulong.MaxValue"/>, as procfs reads it.</summary>
public static class PidLimitsParser
{
    public static bool TryParseOpenFiles(ReadOnlySpan<byte> content, out ulong softLimit) =>
        TryParseSoftLimit(content, "Max open files"u8, out softLimit);

    /// <summary>The soft limit of the line whose name is <paramref name="name"/> ("Max address space").</summary>
    public static bool TryParseSoftLimit(ReadOnlySpan<byte> content, ReadOnlySpan<byte> name, out ulong softLimit)
    {
        softLimit = 0;
        foreach (var line in new LineEnumerator(content))
        {
            if (!line.StartsWith(name) || line.Length == name.Length || line[name.Length] != (byte)' ') continue;
            var fields = new FieldEnumerator(line[name.Length..]);
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
