using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Containers.Cgroups;

/// <summary>v1 cpuacct.stat: "user N" and "system N" in USER_HZ ticks, which runc (and so cAdvisor) reads.</summary>
public static class CpuacctStatParser
{
    public static bool TryParse(ReadOnlySpan<byte> content, out long userTicks, out long systemTicks)
    {
        userTicks = systemTicks = 0;
        bool user = false, system = false;
        foreach (var line in new LineEnumerator(content))
        {
            if (!MemoryStatParser.TrySplit(line, out var key, out var value)) continue;
            if (key.SequenceEqual("user"u8)) { userTicks = value; user = true; }
            else if (key.SequenceEqual("system"u8)) { systemTicks = value; system = true; }
        }
        return user && system;
    }
}
