using Agent.Collectors;
using Agent.Collectors.Host.Procfs;
using Agent.Collectors.Process.Procfs;
using Agent.Pipeline;

namespace Agent.Telemetry;

/// <summary>
/// The process_* family every Prometheus client library exports for its own process, for the
/// agent itself (job "agent"): dashboards and rules written for any exporter's CPU, memory and
/// descriptors work on the agent unchanged. Read from /proc/self, like client_golang.
/// </summary>
public sealed class ProcessSelfCollector : ICollector
{
    private readonly PidFiles _files;
    private readonly int _pid = Environment.ProcessId;
    private readonly double _bootTime;
    /// <summary>USER_HZ: 100 on every Linux architecture .NET runs on (fixed by the kernel for /proc's ABI).</summary>
    private const double TicksPerSecond = 100;

    private readonly long _pageSize = Environment.SystemPageSize;

    public ProcessSelfCollector(string procRoot = "/proc")
    {
        _files = new PidFiles(procRoot);
        _bootTime = _files.TryRead(0, "stat"u8, out var stat) && ProcNumbers.TryFindKeyed(stat, "btime"u8, out var btime) ? btime : 0;
    }

    public string Name => "process";

    public void Collect(List<MetricFamily> into)
    {
        if (_files.TryRead(_pid, "stat"u8, out var content) && PidStatParser.TryParse(content, out var stat, out _))
        {
            into.AddCounter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", (stat.UserTicks + stat.SystemTicks) / TicksPerSecond);
            into.AddGauge("process_resident_memory_bytes", "Resident memory size in bytes.", stat.ResidentPages * (double)_pageSize);
            into.AddGauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", _bootTime + stat.StartTicks / TicksPerSecond);
            into.AddGauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", stat.VirtualBytes);
        }
        if (_files.CountEntries(_pid, "fd"u8) is var open and >= 0) into.AddGauge("process_open_fds", "Number of open file descriptors.", open);
        if (_files.TryRead(_pid, "limits"u8, out content))
        {
            if (PidLimitsParser.TryParseOpenFiles(content, out var maxFds)) into.AddGauge("process_max_fds", "Maximum number of open file descriptors.", maxFds);
            if (PidLimitsParser.TryParseSoftLimit(content, "Max address space"u8, out var maxVirtual))
            {
                into.AddGauge("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.", maxVirtual);
            }
        }
    }
}
