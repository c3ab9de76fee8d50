using System.Text;
using Agent.Collectors.Host.Procfs;
using Xunit;

namespace Agent.Tests.Collectors.Host;

public sealed class ProcParsersTests
{
    [Fact]
    public void Stat_per_cpu_lines_with_all_ten_columns()
    {
        var cpus = new List<ProcStatCpu>();
        ProcStatParser.ParseCpus("cpu  9 9 9 9 9 9 9 9 9 9\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 1 2\n"u8, cpus);
        var cpu = Assert.Single(cpus);
        Assert.Equal((0, 1UL, 2UL, 3UL, 4UL, 5UL, 6UL, 7UL, 8UL, 9UL, 10UL),
            (cpu.Cpu, cpu.User, cpu.Nice, cpu.System, cpu.Idle, cpu.Iowait, cpu.Irq, cpu.Softirq, cpu.Steal, cpu.Guest, cpu.GuestNice));
    }

    [Theory]
    [InlineData("cpu0 100 0 50 1000\n", 1, 100UL, 0UL)]            // 2.4 kernels: four columns, the rest 0
    [InlineData("cpu0 1 2 3 4 5 6 7\ncpu3 1 1 1 1 1 1 1 1\n", 2, 1UL, 0UL)] // gap: cpu1, cpu2 offline
    [InlineData("", 0, 0UL, 0UL)]
    [InlineData("cpufreq junk\ncpu 1 2\ncpuX 1 2 3\ncpu0", 0, 0UL, 0UL)]
    public void Stat_edge_cases(string text, int count, ulong firstUser, ulong firstSteal)
    {
        var cpus = new List<ProcStatCpu>();
        ProcStatParser.ParseCpus(Encoding.ASCII.GetBytes(text), cpus);
        Assert.Equal(count, cpus.Count);
        if (count > 0) Assert.Equal((firstUser, firstSteal), (cpus[0].User, cpus[0].Steal));
        if (count == 2) Assert.Equal(3, cpus[1].Cpu);
    }

    [Fact]
    public void Meminfo_fields_units_and_malformed_lines()
    {
        var fields = new List<(string, ulong, bool)>();
        MeminfoParser.Parse("MemTotal:       16384 kB\nHugePages_Total:   4\nActive(anon):  12 kB\nbroken\nBad:  x kB\nLast: 7 kB"u8,
            (name, value, kb) => fields.Add((Encoding.ASCII.GetString(name), value, kb)));
        Assert.Equal([("MemTotal", 16384UL, true), ("HugePages_Total", 4UL, false), ("Active(anon)", 12UL, true), ("Last", 7UL, true)], fields);
    }

    [Fact]
    public void File_reader_reads_pseudo_files_larger_than_its_buffer_and_reports_missing_ones()
    {
        var reader = new ProcFileReader(initialSize: 16);
        Assert.True(reader.TryRead("/proc/self/status", out var content));
        Assert.Contains("Name:", Encoding.ASCII.GetString(content));
        Assert.False(reader.TryRead("/proc/definitely-not-here", out _));
    }
}
