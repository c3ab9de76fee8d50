using System.Text;
using Agent.Collectors;
using Agent.Collectors.Host;
using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Host;

/// <summary>os-release variants (fixtures/host/os) and udev's block device data (fixtures/host/run/udev/data).</summary>
public sealed class OsReleaseAndUdevTests
{
    private static (Dictionary<string, string> Info, double Version, Dictionary<string, string> VersionLabels) Os(string variant)
    {
        var f = new List<MetricFamily>();
        new OsCollector(new HostPaths("/proc", "/sys", Fixtures.Path("host", "os", variant))).Collect(f);
        var info = f.Single(x => x.Name == "node_os_info").Samples.Single();
        var version = f.Single(x => x.Name == "node_os_version").Samples.Single();
        return (info.Labels.ToDictionary(l => l.Name, l => l.Value), version.Value, version.Labels.ToDictionary(l => l.Name, l => l.Value));
    }

    [Fact]
    public void Ubuntu_point_release_keeps_major_minor()
    {
        var (info, version, labels) = Os("ubuntu");
        Assert.Equal(22.04, version);
        Assert.Equal(new Dictionary<string, string> { ["id"] = "ubuntu", ["id_like"] = "debian", ["name"] = "Ubuntu" }, labels);
        Assert.Equal("22.04.3 LTS (Jammy Jellyfish)", info["version"]);
        Assert.Equal("jammy", info["version_codename"]);
        // Every label node_exporter 1.5 sets is there, empty when the file has no such key.
        Assert.Equal(["build_id", "id", "id_like", "image_id", "image_version", "name", "pretty_name", "variant", "variant_id", "version", "version_codename", "version_id"], info.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("", info["variant"]);
    }

    [Fact]
    public void Rhel_quoted_ids_variant_and_build()
    {
        var (info, version, _) = Os("rhel");
        Assert.Equal(9.3, version);
        Assert.Equal(("rhel", "fedora", "Server", "server", "20231101"), (info["id"], info["id_like"], info["variant"], info["variant_id"], info["build_id"]));
    }

    [Fact]
    public void Usr_lib_fallback_with_image_fields_and_three_part_version()
    {
        var (info, version, _) = Os("usr-lib-only");
        Assert.Equal(3.19, version);
        Assert.Equal(("alpine", "edge-appliance", "2024.1"), (info["id"], info["image_id"], info["image_version"]));
    }

    [Fact]
    public void Single_quotes_escapes_comments_and_a_rolling_version()
    {
        var (info, version, _) = Os("odd");
        Assert.Equal("Single Quoted", info["name"]);
        Assert.Equal("Says \"hi\" for $5 \\ more", info["pretty_name"]);
        Assert.Equal(0, version);
    }

    [Fact]
    public void Udev_data_properties_and_serial_choice()
    {
        var sata = UdevDataParser.Parse(File.ReadAllBytes(Fixtures.Path("host", "run", "udev", "data", "b254:0")));
        Assert.Equal(new UdevProperties("pci-0000:00:17.0-ata-1", "Samsung_SSD_860_EVO_500GB", "S3Z1NB0K123456A", "RVT04B6Q", "0x5002538e40a1b2c3"), sata);
        // SCSI_IDENT_SERIAL wins over ID_SERIAL_SHORT, as in node_exporter.
        var nvme = UdevDataParser.Parse(File.ReadAllBytes(Fixtures.Path("host", "run", "udev", "data", "b259:0")));
        Assert.Equal(new UdevProperties("pci-0000:01:00.0-nvme-1", "Samsung SSD 970 EVO Plus 1TB", "S4EWNF0M000000-SCSI", "2B2QEXM7", ""), nvme);
        Assert.Equal(UdevProperties.Empty, UdevDataParser.Parse("S:only/links\nE:\nE:=x\nI:1\n"u8));
    }

    [Fact]
    public void Disk_info_carries_udev_labels_under_the_root_path()
    {
        var root = Fixtures.Path("host");
        var f = new List<MetricFamily>();
        new DiskstatsCollector(new HostPaths(Path.Combine(root, "proc"), Path.Combine(root, "sys"), root)).Collect(f);
        var info = f.Single(x => x.Name == "node_disk_info").Samples.ToDictionary(s => s.Labels.Single(l => l.Name == "device").Value, s => s.Labels);
        Assert.Equal(
            [new("device", "vda"), new("major", "254"), new("minor", "0"), new("model", "Samsung_SSD_860_EVO_500GB"), new("path", "pci-0000:00:17.0-ata-1"),
             new("revision", "RVT04B6Q"), new("serial", "S3Z1NB0K123456A"), new("wwn", "0x5002538e40a1b2c3")],
            info["vda"]);
        // No udev entry for zram0: the labels are there and empty.
        Assert.Equal("", info["zram0"].Single(l => l.Name == "model").Value);
    }
}
