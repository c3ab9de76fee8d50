using Agent.Collectors;
using Agent.Collectors.Host;
using Agent.Pipeline;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Host;

/// <summary>Every host collector on the captured tree (fixtures/host) and on edge cases.</summary>
public sealed class MoreHostCollectorsTests
{
    private static readonly string Root = Fixtures.Path("host");
    private static readonly HostPaths Fixture = new(Path.Combine(Root, "proc"), Path.Combine(Root, "sys"), Root);

    private static List<MetricFamily> Collect(ICollector collector)
    {
        var families = new List<MetricFamily>();
        collector.Collect(families);
        return families;
    }

    private static MetricFamily Family(List<MetricFamily> families, string name) => families.Single(f => f.Name == name);

    private static double Value(List<MetricFamily> families, string name, params (string, string)[] labels) =>
        Family(families, name).Samples.Single(s => labels.All(l => s.Labels.Contains(new Label(l.Item1, l.Item2)))).Value;

    private static string FixtureText(string relative) => File.ReadAllText(Path.Combine(Root, relative));

    [Fact]
    public void Loadavg()
    {
        var f = Collect(new LoadavgCollector(Fixture));
        var expected = FixtureText("proc/loadavg").Split(' ');
        Assert.Equal(double.Parse(expected[0]), Value(f, "node_load1"));
        Assert.Equal(double.Parse(expected[2]), Value(f, "node_load15"));
    }

    [Fact]
    public void Stat_counters_and_gauges()
    {
        var f = Collect(new StatCollector(new HostPaths(Path.Combine(Root, "edge/offline-cpu"), "/", "/")));
        Assert.Equal(12345, Value(f, "node_intr_total"));
        Assert.Equal(99999, Value(f, "node_context_switches_total"));
        Assert.Equal(1700000000, Value(f, "node_boot_time_seconds"));
        Assert.Equal(4242, Value(f, "node_forks_total"));
        Assert.Equal(2, Value(f, "node_procs_running"));
        Assert.Equal(MetricType.Counter, Family(f, "node_forks_total").Type);
    }

    [Fact]
    public void Vmstat_keeps_only_node_exporters_default_fields()
    {
        var f = Collect(new VmstatCollector(Fixture));
        Assert.Equal(["node_vmstat_oom_kill", "node_vmstat_pgfault", "node_vmstat_pgmajfault", "node_vmstat_pgpgin", "node_vmstat_pgpgout", "node_vmstat_pswpin", "node_vmstat_pswpout"],
            f.Select(x => x.Name).Order(StringComparer.Ordinal));
        Assert.All(f, x => Assert.Equal(MetricType.Untyped, x.Type));
    }

    [Fact]
    public void Diskstats_excludes_partitions_and_scales_units()
    {
        var old = Collect(new DiskstatsCollector(new HostPaths(Path.Combine(Root, "edge/old-kernel"), "/", "/nonexistent")));
        Assert.Equal(800 * 512, Value(old, "node_disk_read_bytes_total", ("device", "sda")));
        Assert.Equal(0.05, Value(old, "node_disk_read_time_seconds_total", ("device", "sda")));
        Assert.Equal(0.055, Value(old, "node_disk_io_time_weighted_seconds_total", ("device", "sda")));
        Assert.DoesNotContain(old.SelectMany(x => x.Samples), s => s.Labels[0].Value == "sda1");
        // An 11-column kernel has no discard or flush columns for sda; nvme0n1 has all of them.
        Assert.Single(Family(old, "node_disk_discards_completed_total").Samples);
        Assert.Equal(16, Value(old, "node_disk_flush_requests_total", ("device", "nvme0n1")));
        Assert.Contains(new Label("major", "259"), Family(old, "node_disk_info").Samples.Single(s => s.Labels.Contains(new Label("device", "nvme0n1"))).Labels);

        var live = Collect(new DiskstatsCollector(Fixture));
        Assert.DoesNotContain(live.SelectMany(x => x.Samples), s => s.Labels[0].Value.StartsWith("loop"));
    }

    [Fact]
    public void Filesystem_applies_excludes_dedupes_unescapes_and_reads_options()
    {
        var f = Collect(new FilesystemCollector(new HostPaths(Path.Combine(Root, "proc"), "/sys", "/")));
        var mountpoints = Family(f, "node_filesystem_device_error").Samples.Select(s => s.Labels.Single(l => l.Name == "mountpoint").Value).ToList();
        Assert.Equal(["/", "/srv/with space"], mountpoints);
        Assert.Equal(0, Value(f, "node_filesystem_device_error", ("mountpoint", "/")));
        Assert.Equal(1, Value(f, "node_filesystem_device_error", ("mountpoint", "/srv/with space")));
        Assert.Equal(1, Value(f, "node_filesystem_readonly", ("mountpoint", "/srv/with space")));
        Assert.True(Value(f, "node_filesystem_size_bytes", ("mountpoint", "/")) > 0);
        Assert.InRange(Value(f, "node_filesystem_avail_bytes", ("mountpoint", "/")), 0, Value(f, "node_filesystem_free_bytes", ("mountpoint", "/")));
    }

    [Fact]
    public void Filesystem_marks_a_network_mount_that_hangs_and_moves_on()
    {
        var dir = Directory.CreateTempSubdirectory("agent-fs-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "1"));
            File.WriteAllText(Path.Combine(dir, "1", "mounts"), "server:/export /definitely/not/mounted nfs4 rw 0 0\n");
            var f = Collect(new FilesystemCollector(new HostPaths(dir, "/sys", "/"), timeout: TimeSpan.FromMilliseconds(200)));
            Assert.Equal(1, Value(f, "node_filesystem_device_error", ("mountpoint", "/definitely/not/mounted")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Netdev_netstat_sockstat_from_captured_files()
    {
        var dev = Collect(new NetdevCollector(Fixture, NetdevCollector.DefaultDeviceExclude));
        Assert.DoesNotContain(Family(dev, "node_network_receive_bytes_total").Samples, s => s.Labels[0].Value == "lo");
        Assert.Equal(17, dev.Count);
        var netstat = Collect(new NetstatCollector(Fixture));
        Assert.Contains(netstat, x => x.Name == "node_netstat_Tcp_CurrEstab" && x.Help == "Statistic TcpCurrEstab.");
        Assert.Contains(netstat, x => x.Name == "node_netstat_Ip6_InOctets");
        Assert.Contains(netstat, x => x.Name == "node_netstat_TcpExt_ListenDrops");
        Assert.DoesNotContain(netstat, x => x.Name == "node_netstat_TcpExt_TW");
        var sock = Collect(new SockstatCollector(Fixture));
        Assert.Equal(Value(sock, "node_sockstat_TCP_mem") * Environment.SystemPageSize, Value(sock, "node_sockstat_TCP_mem_bytes"));
        Assert.Contains(sock, x => x.Name == "node_sockstat_TCP6_inuse");
    }

    [Theory]
    [InlineData("Ip_Forwarding", true)]
    [InlineData("Udp_InErrors", true)]
    [InlineData("UdpLite6_InErrors", true)]
    [InlineData("TcpExt_ListenOverflows", true)]
    [InlineData("TcpExt_TW", false)]
    [InlineData("Ip_InReceives", false)]
    [InlineData("Icmp6_InMsgs", true)]
    [InlineData("IcmpMsg_InType3", false)]
    public void Netstat_default_field_filter(string key, bool wanted) => Assert.Equal(wanted, NetstatCollector.Wanted(key));

    [Fact]
    public void Netclass_skips_attributes_the_kernel_refuses()
    {
        var f = Collect(new NetclassCollector(Fixture));
        Assert.Equal(1, Value(f, "node_network_up", ("device", "eth0")));
        Assert.DoesNotContain(Family(f, "node_network_speed_bytes").Samples, s => s.Labels[0].Value == "lo");
        Assert.Equal(double.Parse(FixtureText("sys/class/net/lo/mtu")), Value(f, "node_network_mtu_bytes", ("device", "lo")));
        Assert.Equal(Convert.ToInt64(FixtureText("sys/class/net/eth0/flags").Trim()[2..], 16), Value(f, "node_network_flags", ("device", "eth0")));
    }

    [Fact]
    public void Small_proc_files_and_os_release()
    {
        var fd = Collect(new FilefdCollector(Fixture));
        Assert.Equal(double.Parse(FixtureText("proc/sys/fs/file-nr").Split('\t', ' ')[^1]), Value(fd, "node_filefd_maximum"));
        Assert.Equal(2, Collect(new EntropyCollector(Fixture)).Count);
        Assert.Equal(5, Collect(new PressureCollector(Fixture)).Count);
        Assert.Equal(10, Collect(new ConntrackCollector(Fixture)).Count);
        var os = Collect(new OsCollector(Fixture));
        Assert.Contains(new Label("id", "debian"), Family(os, "node_os_info").Samples[0].Labels);
        Assert.Equal(12, Value(os, "node_os_version"));
        var time = Collect(new TimeCollector(Fixture));
        Assert.Equal(2, Family(time, "node_time_clocksource_available_info").Samples.Count);
        Assert.Equal(1, Value(time, "node_time_clocksource_current_info", ("clocksource", "tsc")));
    }

    [Fact]
    public void Hosts_without_psi_or_conntrack_report_nothing_rather_than_fail()
    {
        var empty = new HostPaths(Path.Combine(Root, "edge/empty"), Path.Combine(Root, "edge/empty"), Path.Combine(Root, "edge/empty"));
        Assert.Empty(Collect(new PressureCollector(empty)));
        Assert.Empty(Collect(new ConntrackCollector(empty)));
        Assert.Empty(Collect(new NetclassCollector(empty)));
        Assert.Empty(Collect(new OsCollector(empty)));
    }

    [Fact]
    public void Textfile_reads_valid_files_and_flags_broken_ones()
    {
        var f = Collect(new TextfileCollector(Path.Combine(Root, "textfile")));
        Assert.Equal(42, Value(f, "app_jobs_total", ("queue", "a b")));
        Assert.Equal(MetricType.Counter, Family(f, "app_jobs_total").Type);
        Assert.Equal(1.7e9, Value(f, "backup_last_success_timestamp"));
        Assert.Equal(1, Value(f, "node_textfile_scrape_error"));
        Assert.Single(Family(f, "node_textfile_mtime_seconds").Samples);
        Assert.Equal(0, Value(Collect(new TextfileCollector("")), "node_textfile_scrape_error"));
    }
}
