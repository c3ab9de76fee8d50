using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's timex collector: the kernel's NTP discipline from adjtimex(2), read-only.
/// Dashboard 1860's "Time Synchronized Drift", "PLL" and "PPS" panels read these.
/// </summary>
public sealed class TimexCollector : ICollector
{
    private const int EPERM = 1;
    private const double Micro = 1e6;
    private const double Nano = 1e9;

    /// <summary>Scale of the kernel's 16-bit-fraction ppm fields (freq, ppsfreq, stabil); NOTES in adjtimex(2).</summary>
    private const double Ppm16Frac = 1e6 * 65536;

    public string Name => "timex";

    public void Collect(List<MetricFamily> into)
    {
        if (Adjtimex.TryRead(out var timex, out var state, out var errno)) Add(into, timex, state);
        // A seccomp profile may refuse even the read-only call: no data, as node_exporter treats it.
        else if (errno != EPERM) throw new IOException($"adjtimex failed: errno {errno}");
    }

    /// <summary>The families for one reading; public so the unit branches (STA_NANO, TIME_ERROR) are tested on literal values.</summary>
    public static void Add(List<MetricFamily> into, in Adjtimex.Timex t, int state)
    {
        var divisor = (t.Status & Adjtimex.StatusNano) != 0 ? Nano : Micro;
        into.AddGauge("node_timex_sync_status", "Is clock synchronized to a reliable server (1 = yes, 0 = no).", state == Adjtimex.TimeError ? 0 : 1);
        into.AddGauge("node_timex_offset_seconds", "Time offset in between local system and reference clock.", t.Offset / divisor);
        into.AddGauge("node_timex_frequency_adjustment_ratio", "Local clock frequency adjustment.", 1 + t.Freq / Ppm16Frac);
        into.AddGauge("node_timex_maxerror_seconds", "Maximum error in seconds.", t.MaxError / Micro);
        into.AddGauge("node_timex_estimated_error_seconds", "Estimated error in seconds.", t.EstError / Micro);
        into.AddGauge("node_timex_status", "Value of the status array bits.", t.Status);
        into.AddGauge("node_timex_loop_time_constant", "Phase-locked loop time constant.", t.Constant);
        into.AddGauge("node_timex_tick_seconds", "Seconds between clock ticks.", t.Tick / Micro);
        into.AddGauge("node_timex_pps_frequency_hertz", "Pulse per second frequency.", t.PpsFreq / Ppm16Frac);
        into.AddGauge("node_timex_pps_jitter_seconds", "Pulse per second jitter.", t.Jitter / divisor);
        into.AddGauge("node_timex_pps_shift_seconds", "Pulse per second interval duration.", t.Shift);
        into.AddGauge("node_timex_pps_stability_hertz", "Pulse per second stability, average of recent frequency changes.", t.Stabil / Ppm16Frac);
        into.AddCounter("node_timex_pps_jitter_total", "Pulse per second count of jitter limit exceeded events.", t.JitCount);
        into.AddCounter("node_timex_pps_calibration_total", "Pulse per second count of calibration intervals.", t.CalCount);
        into.AddCounter("node_timex_pps_error_total", "Pulse per second count of calibration errors.", t.ErrCount);
        into.AddCounter("node_timex_pps_stability_exceeded_total", "Pulse per second count of stability limit exceeded events.", t.StbCount);
        into.AddGauge("node_timex_tai_offset_seconds", "International Atomic Time (TAI) offset.", t.Tai);
    }
}
