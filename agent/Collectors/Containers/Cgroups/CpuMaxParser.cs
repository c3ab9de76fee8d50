using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Containers.Cgroups;

/// <summary>v2 cpu.max: "$MAX $PERIOD" in microseconds, "max" meaning no quota.</summary>
public static class CpuMaxParser
{
    /// <param name="quota">0 when "max" (unlimited), as cAdvisor leaves it.</param>
    public static bool TryParse(ReadOnlySpan<byte> content, out long quota, out long period)
    {
        quota = period = 0;
        var fields = new FieldEnumerator(content.Trim("\n"u8));
        if (!fields.MoveNext()) return false;
        var first = fields.Current;
        if (!first.SequenceEqual("max"u8) && !ProcNumbers.TryParseLong(first, out quota)) return false;
        return fields.MoveNext() && ProcNumbers.TryParseLong(fields.Current, out period);
    }
}
