using System.Text;
using Agent.Collectors;
using Agent.Collectors.Host;
using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Host;

/// <summary>softnet, arp and udp_queues: their parsers on literal lines, their collectors on the captured tree.</summary>
public sealed class NetworkQueueCollectorsTests
{
    private static readonly HostPaths Fixture = new(Fixtures.Path("host", "proc"), Fixtures.Path("host", "sys"), Fixtures.Path("host"));

    private static List<MetricFamily> Collect(ICollector collector)
    {
        var families = new List<MetricFamily>();
        collector.Collect(families);
        return families;
    }

    private static Dictionary<string, double> Series(List<MetricFamily> families, string name) =>
        families.Single(f => f.Name == name).Samples.ToDictionary(s => string.Join(",", s.Labels.Select(l => $"{l.Name}={l.Value}")), s => s.Value);

    [Theory]
    [InlineData("00045fb1 00000000 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000", true, 0x45fb1, 0, 1)]
    [InlineData("0000000a 00000002 00000003", true, 10, 2, 3)]                       // old kernels: fewer columns
    [InlineData("ffffffff 00000000 00000000 00000000 00000000", true, 0xffffffff, 0, 0)]
    [InlineData("0000000a 00000002", false, 0, 0, 0)]
    [InlineData("0000000a zz 00000003", false, 0, 0, 0)]
    public void Softnet_lines(string line, bool ok, long processed, long dropped, long squeezed)
    {
        Assert.Equal(ok, SoftnetParser.TryParseLine(Encoding.ASCII.GetBytes(line), out var parsed));
        if (ok) Assert.Equal(new SoftnetParser.Line(processed, dropped, squeezed), parsed);
    }

    [Fact]
    public void Softnet_collector_labels_cpus_by_line()
    {
        var f = Collect(new SoftnetCollector(Fixture));
        Assert.Equal(new Dictionary<string, double> { ["cpu=0"] = 0x4761d, ["cpu=1"] = 0x51e62, ["cpu=2"] = 0x1e240 }, Series(f, "node_softnet_processed_total"));
        Assert.Equal(10, Series(f, "node_softnet_dropped_total")["cpu=2"]);
        Assert.Equal(5, Series(f, "node_softnet_times_squeezed_total")["cpu=2"]);
        Assert.All(f, family => Assert.Equal(MetricType.Counter, family.Type));
    }

    [Fact]
    public void Softnet_bad_line_names_file_and_line()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "net"));
            File.WriteAllText(Path.Combine(dir.FullName, "net/softnet_stat"), "00000001 00000000 00000000\nnot hex at all\n");
            var e = Assert.Throws<InvalidDataException>(() => Collect(new SoftnetCollector(new HostPaths(dir.FullName, "/", "/"))));
            Assert.Contains("softnet_stat: line 2", e.Message);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Theory]
    [InlineData("192.0.2.1        0x1         0x2         02:fc:00:00:00:05     *        eth0", true, "eth0", 6)]
    [InlineData("10.0.0.1 0x1 0x0 00:00:00:00:00:00 * br-1a2b3c4d5e6f", true, "br-1a2b3c4d5e6f", 6)]
    [InlineData("10.0.0.1 0x1 0x0 00:00:00:00:00:00 *", false, "", 5)]
    [InlineData("10.0.0.1 0x1 0x0 00:00:00:00:00:00 * eth0 extra", false, "", 7)]
    public void Arp_lines(string line, bool ok, string device, int columns)
    {
        Assert.Equal(ok, ArpParser.TryParseDevice(Encoding.ASCII.GetBytes(line), out var parsed, out var count));
        Assert.Equal(columns, count);
        if (ok) Assert.Equal(device, Encoding.ASCII.GetString(parsed));
    }

    [Fact]
    public void Arp_collector_counts_entries_per_device_each_cycle()
    {
        var collector = new ArpCollector(Fixture);
        var f = Collect(collector);
        Assert.Equal(new Dictionary<string, double> { ["device=eth0"] = 3, ["device=docker0"] = 1 }, Series(f, "node_arp_entries"));
        Assert.Equal(2, collector.CachedDevices);
        // Counts restart each cycle.
        Assert.Equal(3, Series(Collect(collector), "node_arp_entries")["device=eth0"]);
    }

    [Theory]
    [InlineData("header\n 1: 0100007F:D716 0100007F:1AAF 01 00000200:00001000 00:00000000\n 2: 0:0 0:0 07 00000001:00000002 00:0\n", true, 0x201, 0x1002, 0)]
    [InlineData("header only\n", true, 0, 0, 0)]
    [InlineData("header\n\n 1: a b 01 00000001:00000002\n", true, 1, 2, 0)]
    [InlineData("header\n 1: a b 01 0000000100000002\n", false, 0, 0, 2)]
    [InlineData("header\n 1: a b 01 00000001:00000002\n 2: a b\n", false, 0, 0, 3)]
    public void Udp_queue_sums(string text, bool ok, long tx, long rx, int badLine)
    {
        Assert.Equal(ok, UdpQueuesParser.TryParse(Encoding.ASCII.GetBytes(text), out var t, out var r, out var bad));
        Assert.Equal(badLine, bad);
        if (ok) Assert.Equal((tx, rx), (t, r));
    }

    [Fact]
    public void Udp_queues_collector_sums_v4_and_v6()
    {
        var f = Collect(new UdpQueuesCollector(Fixture));
        Assert.Equal(new Dictionary<string, double>
        {
            ["ip=v4,queue=tx"] = 0x200, ["ip=v4,queue=rx"] = 0x1000 + 0xA00, ["ip=v6,queue=tx"] = 0x10, ["ip=v6,queue=rx"] = 0x20,
        }, Series(f, "node_udp_queues"));
    }

    [Fact]
    public void Udp_queues_without_ipv6_reports_v4_only()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "net"));
            File.Copy(Fixtures.Path("host", "proc", "net", "udp"), Path.Combine(dir.FullName, "net/udp"));
            var f = Collect(new UdpQueuesCollector(new HostPaths(dir.FullName, "/", "/")));
            Assert.Equal(["ip=v4,queue=rx", "ip=v4,queue=tx"], Series(f, "node_udp_queues").Keys.Order());
            Assert.Empty(Collect(new UdpQueuesCollector(new HostPaths(Path.Combine(dir.FullName, "none"), "/", "/"))));
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
