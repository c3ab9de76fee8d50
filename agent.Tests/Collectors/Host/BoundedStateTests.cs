using System.Text;
using Agent.Collectors;
using Agent.Collectors.Host;
using Agent.Pipeline;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Host;

/// <summary>
/// Per-device and per-mount state follows what exists now: 1,000 veth-like devices and mounts
/// appear on a copy of the captured tree and go again, and every cache returns to its size.
/// </summary>
public sealed class BoundedStateTests : IDisposable
{
    private const int Churn = 1000;
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-bounded-").FullName;
    private readonly HostPaths _paths;

    public BoundedStateTests()
    {
        var proc = Path.Combine(_dir, "proc");
        Directory.CreateDirectory(Path.Combine(proc, "net"));
        Directory.CreateDirectory(Path.Combine(proc, "1"));
        foreach (var file in new[] { "net/dev", "net/arp", "diskstats", "1/mounts" }) File.Copy(Fixtures.Path("host", "proc", file), Path.Combine(proc, file));
        foreach (var device in Directory.GetDirectories(Fixtures.Path("host", "sys", "class", "net")))
        {
            CopyTree(device, Path.Combine(_dir, "sys", "class", "net", Path.GetFileName(device)));
        }
        _paths = new HostPaths(proc, Path.Combine(_dir, "sys"), _dir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Device_and_mount_caches_return_to_their_size_after_churn()
    {
        var netdev = new NetdevCollector(_paths, NetdevCollector.DefaultDeviceExclude);
        var netclass = new NetclassCollector(_paths);
        var diskstats = new DiskstatsCollector(_paths);
        var filesystem = new FilesystemCollector(_paths);
        var arp = new ArpCollector(_paths);
        ICollector[] all = [netdev, netclass, diskstats, filesystem, arp];
        int[] Sizes() => [netdev.CachedDevices, netclass.CachedDevices, diskstats.CachedDevices, filesystem.CachedMounts, arp.CachedDevices];

        Cycle(all);
        var before = Sizes();
        var originals = Snapshot();

        Append("proc/net/dev", i => $"veth{i:x7}: 1 2 0 0 0 0 0 0 3 4 0 0 0 0 0 0\n");
        Append("proc/net/arp", i => $"172.17.{i / 250}.{i % 250 + 2} 0x1 0x2 02:42:ac:11:00:02 * veth{i:x7}\n");
        Append("proc/diskstats", i => $" 7 {i + 100} loop{i + 100} 1 0 2 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n 252 {i} dm-{i} 1 0 2 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        Append("proc/1/mounts", i => $"overlay /var/lib/docker/overlay2/{i:x8}/merged overlay rw 0 0\nshm /run/containers/{i:x8}/shm tmpfs rw 0 0\n");
        for (var i = 0; i < Churn; i++) CopyTree(Path.Combine(_dir, "sys/class/net/eth0"), Path.Combine(_dir, "sys/class/net", $"veth{i:x7}"));
        var grown = Cycle(all);
        var after = Sizes();
        Assert.All(after.Zip(before), pair => Assert.True(pair.First >= pair.Second + Churn, $"{pair.First} vs {pair.Second}: the churn did not reach a cache"));
        Assert.Equal(before[1] + Churn, grown.Single(f => f.Name == "node_network_up").Samples.Count);

        Restore(originals);
        for (var i = 0; i < Churn; i++) Directory.Delete(Path.Combine(_dir, "sys/class/net", $"veth{i:x7}"), recursive: true);
        Cycle(all);
        Assert.Equal(before, Sizes());
    }

    private static List<MetricFamily> Cycle(ICollector[] collectors)
    {
        var families = new List<MetricFamily>();
        foreach (var c in collectors) c.Collect(families);
        return families;
    }

    private Dictionary<string, string> Snapshot() =>
        new[] { "proc/net/dev", "proc/net/arp", "proc/diskstats", "proc/1/mounts" }.ToDictionary(f => f, f => File.ReadAllText(Path.Combine(_dir, f)));

    private void Restore(Dictionary<string, string> files)
    {
        foreach (var (file, text) in files) File.WriteAllText(Path.Combine(_dir, file), text);
    }

    private void Append(string file, Func<int, string> line)
    {
        var text = new StringBuilder();
        for (var i = 0; i < Churn; i++) text.Append(line(i));
        File.AppendAllText(Path.Combine(_dir, file), text.ToString());
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from)) CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
