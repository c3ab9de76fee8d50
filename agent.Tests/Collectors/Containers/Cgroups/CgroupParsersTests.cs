using System.Text;
using Agent.Collectors.Containers.Cgroups;
using Agent.Collectors.Host.Procfs;
using Xunit;

namespace Agent.Tests.Collectors.Containers.Cgroups;

/// <summary>One parser per kernel file, each on literal input as the kernel writes it.</summary>
public sealed class CgroupParsersTests
{
    private static ReadOnlySpan<byte> B(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    // use_hierarchy: the total_* twins win over the cgroup's own figures.
    [InlineData("cache 10\nrss 20\nswap 30\ninactive_file 40\ntotal_cache 11\ntotal_rss 21\ntotal_swap 31\ntotal_inactive_file 41\n", 21, 11, 31, 41)]
    // Without total_* (an old kernel, or a root cgroup) the plain keys are used.
    [InlineData("cache 10\nrss 20\nswap 30\ninactive_file 40\n", 20, 10, 30, 40)]
    // No swap accounting: the key is absent, swap is 0.
    [InlineData("cache 0\nrss 53248\ninactive_file 0\ntotal_rss 53248\n", 53248, 0, 0, 0)]
    [InlineData("", 0, 0, 0, 0)]
    [InlineData("garbage\nrss notanumber\nrss 5", 5, 0, 0, 0)]
    public void Memory_stat_v1(string text, long rss, long cache, long swap, long inactiveFile) =>
        Assert.Equal(new MemoryStat(rss, cache, swap, inactiveFile), MemoryStatParser.ParseV1(B(text)));

    [Theory]
    [InlineData("anon 50331648\nfile 33554432\nkernel 2097152\nfile_mapped 12582912\ninactive_anon 1\nactive_file 2\ninactive_file 20971520\n", 50331648, 33554432, 20971520, 12582912)]
    // anon_thp and file_mapped must not be mistaken for anon and file.
    [InlineData("anon_thp 7\nfile_mapped 8\nfile_thp 9\nanon 1\nfile 2", 1, 2, 0, 8)]
    public void Memory_stat_v2(string text, long anon, long file, long inactiveFile, long mapped) =>
        Assert.Equal(new MemoryStat(anon, file, 0, inactiveFile, mapped), MemoryStatParser.ParseV2(B(text)));

    [Theory]
    // v1 cpu.stat (cpu controller): throttled_time is in nanoseconds, no usage lines.
    [InlineData("nr_periods 11\nnr_throttled 7\nthrottled_time 340501218\nnr_bursts 0\nburst_time 0\n", false, 0, 0, 0, true, 11, 7, 340501218)]
    // v2 cpu.stat: microseconds throughout.
    [InlineData("usage_usec 93876541\nuser_usec 71234567\nsystem_usec 22641974\nnr_periods 31415\nnr_throttled 2718\nthrottled_usec 57721566\n", true, 93876541, 71234567, 22641974, true, 31415, 2718, 57721566000)]
    // v2 without the cpu controller enabled: usage only.
    [InlineData("usage_usec 20511\nuser_usec 9102\nsystem_usec 11409\n", true, 20511, 9102, 11409, false, 0, 0, 0)]
    [InlineData("", false, 0, 0, 0, false, 0, 0, 0)]
    public void Cpu_stat(string text, bool hasUsage, long usage, long user, long system, bool hasCfs, long periods, long throttled, long throttledNs) =>
        Assert.Equal(new CpuStat(hasUsage, usage, user, system, hasCfs, periods, throttled, throttledNs), CpuStatParser.Parse(B(text)));

    [Theory]
    [InlineData("user 38\nsystem 1\n", true, 38, 1)]
    [InlineData("user 38\n", false, 38, 0)]
    [InlineData("", false, 0, 0)]
    public void Cpuacct_stat(string text, bool ok, long user, long system)
    {
        Assert.Equal(ok, CpuacctStatParser.TryParse(B(text), out var u, out var s));
        Assert.Equal((user, system), (u, s));
    }

    [Theory]
    [InlineData("low 0\nhigh 0\nmax 17\noom 2\noom_kill 1\noom_group_kill 0\n", 17, 1, true)]
    // v1 memory.oom_control has the same oom_kill line and no max.
    [InlineData("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n", 0, 3, true)]
    // Before kernel 4.13 oom_control has no oom_kill: no OOM series rather than a false 0.
    [InlineData("oom_kill_disable 0\nunder_oom 0\n", 0, 0, false)]
    public void Memory_events_and_oom_control(string text, long max, long kills, bool counted)
    {
        MemoryEventsParser.Parse(B(text), out var m, out var k, out var c);
        Assert.Equal((max, kills, counted), (m, k, c));
    }

    [Theory]
    [InlineData("150000 100000\n", true, 150000, 100000)]
    [InlineData("max 100000\n", true, 0, 100000)]
    [InlineData("max\n", false, 0, 0)]
    [InlineData("lots 100000\n", false, 0, 0)]
    [InlineData("", false, 0, 0)]
    public void Cpu_max(string text, bool ok, long quota, long period)
    {
        Assert.Equal(ok, CpuMaxParser.TryParse(B(text), out var q, out var p));
        if (ok) Assert.Equal((quota, period), (q, p));
    }

    [Theory]
    [InlineData("134217728\n", true, 134217728.0)]
    [InlineData("max\n", true, 18446744073709551615.0)]
    [InlineData("9223372036854771712\n", true, 9223372036854771712.0)]
    [InlineData("18446744073709551615\n", true, 18446744073709551615.0)]
    [InlineData("-\n", false, 0.0)]
    public void Limits(string text, bool ok, double value)
    {
        Assert.Equal(ok, CgroupValueParser.TryParseLimit(B(text), out var v));
        Assert.Equal(value, v);
    }

    [Theory]
    // Docker's default 1024 shares is weight 39 on v2 (runc), which cAdvisor turns back into 998.
    [InlineData(39, true, 998)]
    [InlineData(1, true, 2)]
    [InlineData(100, true, 2597)]
    [InlineData(10000, true, 262144)]
    [InlineData(0, false, 0)]
    [InlineData(10001, false, 0)]
    public void Cpu_weight_to_shares(long weight, bool ok, long shares)
    {
        Assert.Equal(ok, CgroupValueParser.TryWeightToShares(weight, out var s));
        Assert.Equal(shares, s);
    }

    [Theory]
    [InlineData("4242\n4301\n4302\n", 3)]
    [InlineData("4242", 1)]
    [InlineData("", 0)]
    public void Cgroup_procs_lines(string text, long count) => Assert.Equal(count, CgroupValueParser.CountLines(B(text)));

    [Fact]
    public void Io_stat_maps_rbytes_and_wbytes_to_read_and_write()
    {
        var entries = new List<BlkioEntry>();
        IoStatParser.Parse(B("8:0 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0\n253:0 rbytes=90112 wbytes=0 rios=22 wios=0\nbad line\n"), entries);
        Assert.Equal(
            [new(8, 0, "Read", 1459200), new(8, 0, "Write", 314773504), new(253, 0, "Read", 90112), new(253, 0, "Write", 0)],
            entries);
        Assert.Same(BlkioOperations.Read, entries[0].Operation);
    }

    [Fact]
    public void Blkio_service_bytes_keeps_every_operation_and_skips_the_total()
    {
        var entries = new List<BlkioEntry>();
        BlkioServiceBytesParser.Parse(B("8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 12288\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 12288\n254:16 Read 1\nTotal 12289\n"), entries);
        Assert.Equal(7, entries.Count);
        Assert.Equal(new BlkioEntry(8, 0, "Write", 8192), entries[1]);
        Assert.Equal(new BlkioEntry(8, 0, "Total", 12288), entries[5]);
        Assert.Equal(new BlkioEntry(254, 16, "Read", 1), entries[6]);

        entries.Clear();
        BlkioServiceBytesParser.Parse(B("Total 0\n"), entries);
        Assert.Empty(entries);
    }

    [Theory]
    [InlineData("9:name=systemd:/docker/abc\n4:memory:/docker/abc\n2:cpuacct:/docker/abc\n1:cpu:/docker/abc\n0::/docker/abc\n", "memory", "/docker/abc")]
    [InlineData("3:cpu,cpuacct:/docker/x\n2:memory:/docker/y\n", "cpuacct", "/docker/x")]
    [InlineData("0::/system.slice/docker-abc.scope\n", "", "/system.slice/docker-abc.scope")]
    [InlineData("4:memory:/docker/abc\n", "", null)]
    [InlineData("4:memory:/docker/abc\n", "pids", null)]
    public void Proc_pid_cgroup(string text, string controller, string? path) =>
        Assert.Equal(path, ProcCgroupParser.PathOf(B(text), Encoding.ASCII.GetBytes(controller)));

    [Fact]
    public void Net_dev_line_gives_the_device_and_sixteen_counters()
    {
        Span<long> values = stackalloc long[NetDevParser.Columns];
        Assert.True(NetDevParser.TryParseLine(B("  eth0: 8843120    6214    2    5    0     0          0         0   612733    4870    1    3    0     0       0          0"), out var device, values, out var parsed));
        Assert.Equal("eth0", Encoding.UTF8.GetString(device));
        Assert.Equal(16, parsed);
        Assert.Equal(8843120, values[NetDevParser.ReceiveBytes]);
        Assert.Equal(5, values[NetDevParser.ReceiveDrop]);
        Assert.Equal(4870, values[NetDevParser.TransmitPackets]);
        Assert.Equal(3, values[NetDevParser.TransmitDrop]);
        Assert.False(NetDevParser.TryParseLine(B(" face |bytes    packets errs drop fifo frame compressed multicast|bytes"), out _, values, out _));
    }
}
