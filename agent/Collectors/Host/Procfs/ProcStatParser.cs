using System.Buffers.Text;

namespace Agent.Collectors.Host.Procfs;

/// <summary>
/// /proc/stat: the per-CPU lines ("cpu0 ...") and the scalar counters. Offline CPUs simply have
/// no line, so CPU numbers may have gaps; old kernels have fewer columns (missing ones are 0).
/// </summary>
public static class ProcStatParser
{
    /// <summary>Fills <paramref name="cpus"/> with every per-CPU line (not the aggregate "cpu" line).</summary>
    public static void ParseCpus(ReadOnlySpan<byte> content, List<ProcStatCpu> cpus)
    {
        cpus.Clear();
        foreach (var line in new LineEnumerator(content))
        {
            if (line.Length < 4 || !line.StartsWith("cpu"u8) || line[3] == (byte)' ') continue;
            var rest = line[3..];
            var space = rest.IndexOf((byte)' ');
            if (space <= 0 || !Utf8Parser.TryParse(rest[..space], out int cpu, out var consumed) || consumed != space) continue;
            var fields = new FieldEnumerator(rest[space..]);
            var stat = new ProcStatCpu { Cpu = cpu };
            for (var i = 0; i < 10 && fields.MoveNext(); i++)
            {
                if (!Utf8Parser.TryParse(fields.Current, out ulong value, out _)) break;
                switch (i)
                {
                    case 0: stat.User = value; break;
                    case 1: stat.Nice = value; break;
                    case 2: stat.System = value; break;
                    case 3: stat.Idle = value; break;
                    case 4: stat.Iowait = value; break;
                    case 5: stat.Irq = value; break;
                    case 6: stat.Softirq = value; break;
                    case 7: stat.Steal = value; break;
                    case 8: stat.Guest = value; break;
                    case 9: stat.GuestNice = value; break;
                }
            }
            cpus.Add(stat);
        }
    }
}
