using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Host;

/// <summary>node_exporter's stat collector: boot time, context switches, forks, interrupts, runnable and blocked processes.</summary>
public sealed class StatCollector(HostPaths paths) : ICollector
{
    private readonly string _path = paths.ProcFile("stat");
    private readonly ProcFileReader _reader = new();

    public string Name => "stat";

    public void Collect(List<Pipeline.MetricFamily> into)
    {
        if (!_reader.TryRead(_path, out var content)) throw new IOException($"cannot read {_path}");
        if (ProcNumbers.TryFindKeyed(content, "intr"u8, out var intr)) into.AddCounter("node_intr_total", "Total number of interrupts serviced.", intr);
        if (ProcNumbers.TryFindKeyed(content, "ctxt"u8, out var ctxt)) into.AddCounter("node_context_switches_total", "Total number of context switches.", ctxt);
        if (ProcNumbers.TryFindKeyed(content, "processes"u8, out var forks)) into.AddCounter("node_forks_total", "Total number of forks.", forks);
        if (ProcNumbers.TryFindKeyed(content, "btime"u8, out var btime)) into.AddGauge("node_boot_time_seconds", "Node boot time, in unixtime.", btime);
        if (ProcNumbers.TryFindKeyed(content, "procs_running"u8, out var running)) into.AddGauge("node_procs_running", "Number of processes in runnable state.", running);
        if (ProcNumbers.TryFindKeyed(content, "procs_blocked"u8, out var blocked)) into.AddGauge("node_procs_blocked", "Number of processes blocked waiting for I/O to complete.", blocked);
    }
}
