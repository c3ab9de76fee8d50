using Agent.Collectors;
using Agent.Collectors.Host;
using Agent.Pipeline;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Host;

/// <summary>
/// hwmon, thermal_zone and cpufreq on a sensor tree written from the kernel's sysfs ABI
/// (fixtures/host/sensors): the CI machine is a VM without sensors.
/// </summary>
public sealed class SensorCollectorsTests
{
    private static readonly string Sys = Fixtures.Path("host", "sensors", "sys");
    private static readonly HostPaths Paths = new("/proc", Sys, "/");

    private static List<MetricFamily> Collect(ICollector collector)
    {
        var families = new List<MetricFamily>();
        collector.Collect(families);
        return families;
    }

    private static double Value(List<MetricFamily> families, string name, params (string, string)[] labels) =>
        families.Single(f => f.Name == name).Samples.Single(s => labels.All(l => s.Labels.Contains(new Label(l.Item1, l.Item2)))).Value;

    [Fact]
    public void Hwmon_units_chip_names_and_labels()
    {
        var f = Collect(new HwmonCollector(Paths));
        Assert.Equal(45, Value(f, "node_hwmon_temp_celsius", ("chip", "platform_coretemp_0"), ("sensor", "temp1")));
        Assert.Equal(100, Value(f, "node_hwmon_temp_crit_celsius", ("chip", "platform_coretemp_0"), ("sensor", "temp1")));
        Assert.Equal(43.5, Value(f, "node_hwmon_temp_celsius", ("chip", "platform_coretemp_0"), ("sensor", "temp2")));
        Assert.Equal(0, Value(f, "node_hwmon_temp_alarm", ("sensor", "temp2")));
        Assert.Equal(1200, Value(f, "node_hwmon_fan_rpm", ("sensor", "fan1")));
        Assert.Equal(1.05, Value(f, "node_hwmon_in_volts", ("sensor", "in0")));
        Assert.Equal(15, Value(f, "node_hwmon_power_average_watt", ("sensor", "power1")));
        Assert.Equal(123.456789, Value(f, "node_hwmon_energy_joule_total", ("sensor", "energy1")));
        Assert.Equal(1, Value(f, "node_hwmon_chip_names", ("chip", "platform_coretemp_0"), ("chip_name", "coretemp")));
        Assert.Equal(1, Value(f, "node_hwmon_sensor_label", ("label", "Package id 0"), ("sensor", "temp1")));
        Assert.Equal(30, Value(f, "node_hwmon_temp_celsius", ("chip", "hwmon1"), ("sensor", "temp1")));
        Assert.DoesNotContain(f.SelectMany(x => x.Samples), s => s.Labels.Contains(new Label("sensor", "temp3")));
        Assert.Equal(MetricType.Counter, f.Single(x => x.Name == "node_hwmon_energy_joule_total").Type);
    }

    [Theory]
    [InlineData("temp1_input", true, "temp", "temp1", "input")]
    [InlineData("fan12_min", true, "fan", "fan12", "min")]
    [InlineData("in0_input", true, "in", "in0", "input")]
    [InlineData("name", false, "", "", "")]
    [InlineData("uevent", false, "", "", "")]
    [InlineData("pwm1_enable", false, "", "", "")]
    public void Hwmon_file_names(string file, bool ok, string type, string sensor, string element)
    {
        Assert.Equal(ok, HwmonCollector.TrySplit(file, out var t, out var s, out var e));
        if (ok) Assert.Equal((type, sensor, element), (t, s, e));
    }

    [Fact]
    public void Thermal_zones_and_cooling_devices()
    {
        var f = Collect(new ThermalZoneCollector(Paths));
        Assert.Equal(47, Value(f, "node_thermal_zone_temp", ("type", "x86_pkg_temp"), ("zone", "0")));
        Assert.Equal(3, Value(f, "node_cooling_device_max_state", ("name", "0"), ("type", "Processor")));
    }

    [Fact]
    public void Cpufreq_in_hertz_and_cpus_without_cpufreq_skipped()
    {
        var f = Collect(new CpufreqCollector(Paths));
        Assert.Equal(2.4e9, Value(f, "node_cpu_frequency_hertz", ("cpu", "0")));
        Assert.Equal(8e8, Value(f, "node_cpu_scaling_frequency_min_hertz", ("cpu", "0")));
        Assert.Single(f[0].Samples);
    }

    [Fact]
    public void A_vm_without_sensors_reports_nothing()
    {
        var empty = new HostPaths("/proc", Fixtures.Path("host", "edge", "empty"), "/");
        Assert.Empty(Collect(new HwmonCollector(empty)));
        Assert.Empty(Collect(new ThermalZoneCollector(empty)));
        Assert.Empty(Collect(new CpufreqCollector(empty)));
    }
}
