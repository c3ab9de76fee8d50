using Agent.Collectors;
using Agent.Collectors.Host;
using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Host;

/// <summary>timex on literal adjtimex readings (both units, both sync states) and the live call; selinux on captured trees.</summary>
public sealed class TimexSelinuxTests
{
    private static double Value(List<MetricFamily> families, string name) => families.Single(f => f.Name == name).Samples.Single().Value;

    [Fact]
    public void Timex_microsecond_kernel_in_sync()
    {
        var t = new Adjtimex.Timex
        {
            Offset = -1500, Freq = 65536 * 12, MaxError = 16000, EstError = 250, Status = 0x0001, Constant = 7, Tick = 10000,
            PpsFreq = 65536, Jitter = 40, Shift = 4, Stabil = 131072, JitCount = 1, CalCount = 2, ErrCount = 3, StbCount = 4, Tai = 37,
        };
        var f = new List<MetricFamily>();
        TimexCollector.Add(f, t, state: 0);
        Assert.Equal(17, f.Count);
        Assert.Equal(1, Value(f, "node_timex_sync_status"));
        Assert.Equal(-0.0015, Value(f, "node_timex_offset_seconds"), 12);
        Assert.Equal(1.000012, Value(f, "node_timex_frequency_adjustment_ratio"), 12);
        Assert.Equal(0.016, Value(f, "node_timex_maxerror_seconds"), 12);
        Assert.Equal(0.00025, Value(f, "node_timex_estimated_error_seconds"), 12);
        Assert.Equal(0.01, Value(f, "node_timex_tick_seconds"), 12);
        Assert.Equal(0.000001, Value(f, "node_timex_pps_frequency_hertz"), 12);
        Assert.Equal(0.00004, Value(f, "node_timex_pps_jitter_seconds"), 12);
        Assert.Equal(0.000002, Value(f, "node_timex_pps_stability_hertz"), 12);
        Assert.Equal(4, Value(f, "node_timex_pps_shift_seconds"));
        Assert.Equal(37, Value(f, "node_timex_tai_offset_seconds"));
        Assert.Equal(4, Value(f, "node_timex_pps_stability_exceeded_total"));
        Assert.Equal(MetricType.Counter, f.Single(x => x.Name == "node_timex_pps_error_total").Type);
    }

    [Fact]
    public void Timex_nanosecond_kernel_unsynchronised()
    {
        var t = new Adjtimex.Timex { Offset = 2_500_000, Jitter = 1_000, Status = Adjtimex.StatusNano | 0x40, MaxError = 16_000_000 };
        var f = new List<MetricFamily>();
        TimexCollector.Add(f, t, state: Adjtimex.TimeError);
        Assert.Equal(0, Value(f, "node_timex_sync_status"));
        Assert.Equal(0.0025, Value(f, "node_timex_offset_seconds"), 12);
        Assert.Equal(0.000001, Value(f, "node_timex_pps_jitter_seconds"), 12);
        // maxerror is microseconds whatever STA_NANO says.
        Assert.Equal(16, Value(f, "node_timex_maxerror_seconds"));
        Assert.Equal(Adjtimex.StatusNano | 0x40, Value(f, "node_timex_status"));
    }

    [Fact]
    public void Timex_struct_is_the_kernels_208_bytes_and_the_live_call_reads_it()
    {
        Assert.Equal(208, System.Runtime.CompilerServices.Unsafe.SizeOf<Adjtimex.Timex>());
        Assert.SkipUnless(OperatingSystem.IsLinux(), "adjtimex is Linux");
        var f = new List<MetricFamily>();
        new TimexCollector().Collect(f);
        Assert.Equal(17, f.Count);
        // Every kernel ticks at USER_HZ or faster, so one tick is at most 10 ms and never 0.
        Assert.InRange(Value(f, "node_timex_tick_seconds"), 0.0001, 0.01);
    }

    private static List<MetricFamily> Selinux(string tree)
    {
        var root = Fixtures.Path("host", "selinux", tree);
        var f = new List<MetricFamily>();
        new SelinuxCollector(new HostPaths(Path.Combine(root, "proc"), Path.Combine(root, "sys"), root)).Collect(f);
        return f;
    }

    [Fact]
    public void Selinux_enforcing_by_config_permissive_now()
    {
        var f = Selinux("enforcing");
        Assert.Equal(1, Value(f, "node_selinux_enabled"));
        Assert.Equal(1, Value(f, "node_selinux_config_mode"));
        Assert.Equal(0, Value(f, "node_selinux_current_mode"));
    }

    [Theory]
    [InlineData("kernel-context")]   // selinuxfs mounted but no policy loaded: the thread runs as "kernel"
    [InlineData("absent")]
    public void Selinux_off_reports_enabled_zero_only(string tree)
    {
        var f = Selinux(tree);
        Assert.Equal("node_selinux_enabled", Assert.Single(f).Name);
        Assert.Equal(0, Value(f, "node_selinux_enabled"));
    }

    [Theory]
    [InlineData("SELINUX=enforcing\n", 1)]
    [InlineData("# SELINUX=enforcing\nSELINUX=permissive\n", 0)]
    [InlineData("SELINUXTYPE=targeted\nSELINUX=disabled\n", -1)]
    [InlineData("SELINUX=\"enforcing\"\r\n", 1)]
    [InlineData("", -1)]
    public void Selinux_config_modes(string text, int mode) =>
        Assert.Equal(mode, SelinuxConfigParser.Mode(System.Text.Encoding.ASCII.GetBytes(text)));
}
