namespace Agent.Collectors.Host.Procfs;

/// <summary>/etc/selinux/config's SELINUX= line as an enforcement mode: enforcing 1, permissive 0, disabled or absent -1.</summary>
public static class SelinuxConfigParser
{
    public static int Mode(ReadOnlySpan<byte> content)
    {
        foreach (var raw in new LineEnumerator(content))
        {
            var line = raw.Trim(" \t\r"u8);
            if (!line.StartsWith("SELINUX="u8)) continue;
            var value = line["SELINUX="u8.Length..].Trim("\"' \t"u8);
            if (value.SequenceEqual("enforcing"u8)) return 1;
            if (value.SequenceEqual("permissive"u8)) return 0;
            return -1;
        }
        return -1;
    }
}
