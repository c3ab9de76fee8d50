using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's pressure collector (PSI): the "total" microseconds of /proc/pressure/{cpu,io,memory}
/// as seconds. Kernels without PSI have no /proc/pressure: nothing to report, not an error.
/// </summary>
public sealed class PressureCollector(HostPaths paths) : ICollector
{
    private readonly string _dir = paths.ProcFile("pressure");
    private readonly ProcFileReader _reader = new(512);
    private readonly string _cpu = paths.ProcFile("pressure/cpu");
    private readonly string _io = paths.ProcFile("pressure/io");
    private readonly string _memory = paths.ProcFile("pressure/memory");

    public string Name => "pressure";

    public void Collect(List<Pipeline.MetricFamily> into)
    {
        if (!Directory.Exists(_dir)) return;
        if (Read(_cpu, out var cpuSome, out _))
        {
            into.AddCounter("node_pressure_cpu_waiting_seconds_total", "Total time in seconds that processes have waited for CPU time", cpuSome);
        }
        if (Read(_io, out var ioSome, out var ioFull))
        {
            into.AddCounter("node_pressure_io_waiting_seconds_total", "Total time in seconds that processes have waited due to IO congestion", ioSome);
            into.AddCounter("node_pressure_io_stalled_seconds_total", "Total time in seconds no process could make progress due to IO congestion", ioFull);
        }
        if (Read(_memory, out var memSome, out var memFull))
        {
            into.AddCounter("node_pressure_memory_waiting_seconds_total", "Total time in seconds that processes have waited for memory", memSome);
            into.AddCounter("node_pressure_memory_stalled_seconds_total", "Total time in seconds no process could make progress due to memory congestion", memFull);
        }
    }

    private bool Read(string path, out double some, out double full)
    {
        some = full = 0;
        if (!_reader.TryRead(path, out var content)) return false;
        var found = false;
        foreach (var line in new LineEnumerator(content))
        {
            var at = line.IndexOf("total="u8);
            if (at < 0 || !ProcNumbers.TryParseLong(line[(at + 6)..], out var micros)) continue;
            if (line.StartsWith("some"u8)) { some = micros / 1e6; found = true; }
            else if (line.StartsWith("full"u8)) full = micros / 1e6;
        }
        return found;
    }
}
