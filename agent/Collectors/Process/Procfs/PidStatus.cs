using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Process.Procfs;

/// <summary>
/// The fields of /proc/[pid]/status that stat lacks. Kernel threads have no VmSwap line, which
/// reads as 0. The context switches of /proc/[pid]/status are the main thread's only.
/// </summary>
public readonly record struct PidStatus(int EffectiveUid, long SwappedBytes, long VoluntarySwitches, long NonvoluntarySwitches);

public static class PidStatusParser
{
    public static bool TryParse(ReadOnlySpan<byte> content, out PidStatus status)
    {
        status = default;
        long uid = -1, swapKb = 0, voluntary = 0, nonvoluntary = 0;
        foreach (var line in new LineEnumerator(content))
        {
            if (line.StartsWith("Uid:"u8))
            {
                var fields = new FieldEnumerator(line[4..]);
                if (!fields.MoveNext() || !fields.MoveNext() || !ProcNumbers.TryParseLong(fields.Current, out uid)) return false;
            }
            else if (line.StartsWith("VmSwap:"u8))
            {
                var fields = new FieldEnumerator(line[7..]);
                if (!fields.MoveNext() || !ProcNumbers.TryParseLong(fields.Current, out swapKb)) return false;
            }
            else if (line.StartsWith("voluntary_ctxt_switches:"u8))
            {
                if (!ProcNumbers.TryParseLong(line[24..], out voluntary)) return false;
            }
            else if (line.StartsWith("nonvoluntary_ctxt_switches:"u8))
            {
                if (!ProcNumbers.TryParseLong(line[27..], out nonvoluntary)) return false;
            }
        }
        if (uid < 0) return false;
        status = new PidStatus((int)uid, swapKb * 1024, voluntary, nonvoluntary);
        return true;
    }
}
