using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Process.Procfs;

/// <summary>read_bytes and write_bytes of /proc/[pid]/io: bytes that reached the storage layer.</summary>
public readonly record struct PidIo(long ReadBytes, long WriteBytes);

public static class PidIoParser
{
    public static bool TryParse(ReadOnlySpan<byte> content, out PidIo io)
    {
        io = default;
        long read = -1, write = -1;
        foreach (var line in new LineEnumerator(content))
        {
            if (line.StartsWith("read_bytes:"u8))
            {
                if (!ProcNumbers.TryParseLong(line[11..], out read)) return false;
            }
            else if (line.StartsWith("write_bytes:"u8))
            {
                if (!ProcNumbers.TryParseLong(line[12..], out write)) return false;
            }
        }
        if (read < 0 || write < 0) return false;
        io = new PidIo(read, write);
        return true;
    }
}
