using System.Text;
using Agent.Collectors.Process.Procfs;
using Xunit;

namespace Agent.Tests.Collectors.Process.Procfs;

/// <summary>One parser per /proc/[pid] file, on literal input as the kernel writes it.</summary>
public sealed class PidParsersTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private const string Tail = " 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

    [Theory]
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime prio nice threads itreal start vsize rss
    [InlineData("1 (systemd) S 0 1 1 0 -1 4194560 37262 1188181 12 707 43 280 4711 1687 20 0 1 0 31 41881600 2973" + Tail, "systemd", 'S', 0, 37262, 12, 43, 280, 1, 31, 41881600, 2973)]
    [InlineData("100 (my (odd) app) R 1 100 100 0 -1 0 5 0 0 0 300 40 0 0 20 0 3 0 500 1000 30" + Tail, "my (odd) app", 'R', 1, 5, 0, 300, 40, 3, 500, 1000, 30)]
    [InlineData("7 (a b) c)) D 2 0 0 0 -1 0 1 0 2 0 3 4 0 0 20 0 1 0 9 0 0" + Tail, "a b) c)", 'D', 2, 1, 2, 3, 4, 1, 9, 0, 0)]
    [InlineData("200 (defunct-helper) Z 100 200 200 0 -1 4194564 0 0 0 0 1 1 0 0 20 0 1 0 900 0 0" + Tail, "defunct-helper", 'Z', 100, 0, 0, 1, 1, 1, 900, 0, 0)]
    [InlineData("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 3 0 0 20 0 1 0 31 0 0" + Tail, "kthreadd", 'S', 0, 0, 0, 0, 3, 1, 31, 0, 0)]
    [InlineData("9 (kworker/0:1-events) I 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 20 0 1 0 40 0 0" + Tail, "kworker/0:1-events", 'I', 2, 0, 0, 0, 0, 1, 40, 0, 0)]
    public void Stat(string text, string comm, char state, int ppid, long minflt, long majflt, long utime, long stime, long threads, long start, long vsize, long rss)
    {
        Assert.True(PidStatParser.TryParse(B(text), out var stat, out var name));
        Assert.Equal(comm, Encoding.UTF8.GetString(name));
        Assert.Equal(new PidStat((byte)state, ppid, minflt, majflt, utime, stime, threads, start, vsize, rss), stat);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1 (trunc")]
    [InlineData("1 (short) S 0 1")]
    [InlineData("x (bad) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 31 0 0" + Tail)]
    public void Stat_rejects_malformed(string text) => Assert.False(PidStatParser.TryParse(B(text), out _, out _));

    [Theory]
    [InlineData("Name:\tbash\nUid:\t1000\t1001\t1001\t1001\nVmSwap:\t     128 kB\nvoluntary_ctxt_switches:\t601\nnonvoluntary_ctxt_switches:\t73\n", 1001, 131072, 601, 73)]
    // Kernel threads and zombies have no Vm* lines.
    [InlineData("Name:\tkthreadd\nUid:\t0\t0\t0\t0\nKthread:\t1\nvoluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t0\n", 0, 0, 5, 0)]
    public void Status(string text, int uid, long swap, long voluntary, long nonvoluntary)
    {
        Assert.True(PidStatusParser.TryParse(B(text), out var status));
        Assert.Equal(new PidStatus(uid, swap, voluntary, nonvoluntary), status);
    }

    [Fact]
    public void Status_without_uid_is_rejected() => Assert.False(PidStatusParser.TryParse(B("Name:\tx\n"), out _));

    [Theory]
    [InlineData("rchar: 6976\nwchar: 0\nsyscr: 10\nsyscw: 0\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n", true, 4096, 8192)]
    [InlineData("rchar: 6976\n", false, 0, 0)]
    public void Io(string text, bool ok, long read, long write)
    {
        Assert.Equal(ok, PidIoParser.TryParse(B(text), out var io));
        Assert.Equal(new PidIo(read, write), io);
    }

    [Theory]
    [InlineData("Max processes             96365                96365                processes \nMax open files            20000                1048576              files     \n", true, 20000UL)]
    [InlineData("Max open files            unlimited            unlimited            files     \n", true, ulong.MaxValue)]
    // A zombie's limits file is empty.
    [InlineData("", false, 0UL)]
    public void Limits(string text, bool ok, ulong soft)
    {
        Assert.Equal(ok, PidLimitsParser.TryParseOpenFiles(B(text), out var limit));
        Assert.Equal(soft, limit);
    }

    [Fact]
    public void Smaps_rollup()
    {
        const string text = "556dfe70b000-7fffae440000 ---p 00000000 00:00 0                          [rollup]\nRss:                4344 kB\nPss:                1415 kB\nPss_Dirty:           722 kB\nSwap:                  0 kB\nSwapPss:               2 kB\n";
        Assert.True(PidSmapsParser.TryParse(B(text), out var smaps));
        Assert.Equal(new PidSmaps(1415 * 1024, 2 * 1024), smaps);
    }

    [Theory]
    [InlineData("/usr/bin/java\0-jar\0/srv/shop.jar\0", new[] { "/usr/bin/java", "-jar", "/srv/shop.jar" })]
    [InlineData("sshd: /usr/sbin/sshd -D [listener]\0", new[] { "sshd: /usr/sbin/sshd -D [listener]" })]
    [InlineData("a\0\0b\0\0", new[] { "a", "", "b" })]
    [InlineData("", new string[0])]
    [InlineData("\0\0", new string[0])]
    public void Cmdline(string text, string[] args) => Assert.Equal(args, PidCmdlineParser.Parse(B(text)));
}
