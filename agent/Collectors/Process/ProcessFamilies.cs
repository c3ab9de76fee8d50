using Agent.Pipeline;

namespace Agent.Collectors.Process;

/// <summary>process-exporter 0.7.10's families, names, HELP texts, types and labels, from the groups' state.</summary>
internal static class ProcessFamilies
{
    public static void AddGroups(List<MetricFamily> into, List<GroupState> groups, int cycle, bool threads, bool smaps)
    {
        var n = groups.Count;
        var procs = new MetricFamily("namedprocess_namegroup_num_procs", "number of processes in this group", MetricType.Gauge, n);
        var cpu = new MetricFamily("namedprocess_namegroup_cpu_seconds_total", "Cpu user usage in seconds", MetricType.Counter, 2 * n);
        var read = new MetricFamily("namedprocess_namegroup_read_bytes_total", "number of bytes read by this group", MetricType.Counter, n);
        var write = new MetricFamily("namedprocess_namegroup_write_bytes_total", "number of bytes written by this group", MetricType.Counter, n);
        var major = new MetricFamily("namedprocess_namegroup_major_page_faults_total", "Major page faults", MetricType.Counter, n);
        var minor = new MetricFamily("namedprocess_namegroup_minor_page_faults_total", "Minor page faults", MetricType.Counter, n);
        var switches = new MetricFamily("namedprocess_namegroup_context_switches_total", "Context switches", MetricType.Counter, 2 * n);
        var memory = new MetricFamily("namedprocess_namegroup_memory_bytes", "number of bytes of memory in use", MetricType.Gauge, (smaps ? 5 : 3) * n);
        var fds = new MetricFamily("namedprocess_namegroup_open_filedesc", "number of open file descriptors for this group", MetricType.Gauge, n);
        var ratio = new MetricFamily("namedprocess_namegroup_worst_fd_ratio", "the worst (closest to 1) ratio between open fds and max fds among all procs in this group", MetricType.Gauge, n);
        var start = new MetricFamily("namedprocess_namegroup_oldest_start_time_seconds", "start time in seconds since 1970/01/01 of oldest process in group", MetricType.Gauge, n);
        var numThreads = new MetricFamily("namedprocess_namegroup_num_threads", "Number of threads", MetricType.Gauge, n);
        var states = new MetricFamily("namedprocess_namegroup_states", "Number of processes in states Running, Sleeping, Waiting, Zombie, or Other", MetricType.Gauge, 5 * n);
        foreach (var g in groups)
        {
            procs.Add(g.Labels, g.Procs);
            cpu.Add(g.CpuLabels[0], g.Totals.UserSeconds);
            cpu.Add(g.CpuLabels[1], g.Totals.SystemSeconds);
            read.Add(g.Labels, g.Totals.ReadBytes);
            write.Add(g.Labels, g.Totals.WriteBytes);
            major.Add(g.Labels, g.Totals.MajorFaults);
            minor.Add(g.Labels, g.Totals.MinorFaults);
            switches.Add(g.SwitchLabels[0], g.Totals.VoluntarySwitches);
            switches.Add(g.SwitchLabels[1], g.Totals.NonvoluntarySwitches);
            memory.Add(g.MemoryLabels[0], g.ResidentBytes);
            memory.Add(g.MemoryLabels[1], g.VirtualBytes);
            memory.Add(g.MemoryLabels[2], g.SwappedBytes);
            if (smaps)
            {
                memory.Add(g.MemoryLabels[3], g.ProportionalBytes);
                memory.Add(g.MemoryLabels[4], g.ProportionalSwapBytes);
            }
            fds.Add(g.Labels, g.OpenFds);
            ratio.Add(g.Labels, g.WorstFdRatio);
            // Go's time.Time.Unix() truncates to whole seconds.
            start.Add(g.Labels, Math.Floor(g.OldestStartSeconds));
            numThreads.Add(g.Labels, g.NumThreads);
            states.Add(g.StateLabels[0], g.States.Running);
            states.Add(g.StateLabels[1], g.States.Sleeping);
            states.Add(g.StateLabels[2], g.States.Waiting);
            states.Add(g.StateLabels[3], g.States.Zombie);
            states.Add(g.StateLabels[4], g.States.Other);
        }
        into.AddRange([procs, cpu, read, write, major, minor, switches, memory, fds, ratio, start, numThreads, states]);
        if (threads) AddThreads(into, groups, cycle);
    }

    private static void AddThreads(List<MetricFamily> into, List<GroupState> groups, int cycle)
    {
        var count = new MetricFamily("namedprocess_namegroup_thread_count", "Number of threads in this group with same threadname", MetricType.Gauge);
        var cpu = new MetricFamily("namedprocess_namegroup_thread_cpu_seconds_total", "Cpu user/system usage in seconds", MetricType.Counter);
        var io = new MetricFamily("namedprocess_namegroup_thread_io_bytes_total", "number of bytes read/written by these threads", MetricType.Counter);
        var major = new MetricFamily("namedprocess_namegroup_thread_major_page_faults_total", "Major page faults for these threads", MetricType.Counter);
        var minor = new MetricFamily("namedprocess_namegroup_thread_minor_page_faults_total", "Minor page faults for these threads", MetricType.Counter);
        var switches = new MetricFamily("namedprocess_namegroup_thread_context_switches_total", "Context switches for these threads", MetricType.Counter);
        foreach (var g in groups)
        {
            foreach (var t in g.ThreadNames.Values)
            {
                if (t.SeenCycle != cycle) continue;
                count.Add(t.Labels, t.Count);
                cpu.Add(t.CpuLabels[0], t.Totals.UserSeconds);
                cpu.Add(t.CpuLabels[1], t.Totals.SystemSeconds);
                io.Add(t.IoLabels[0], t.Totals.ReadBytes);
                io.Add(t.IoLabels[1], t.Totals.WriteBytes);
                major.Add(t.Labels, t.Totals.MajorFaults);
                minor.Add(t.Labels, t.Totals.MinorFaults);
                switches.Add(t.SwitchLabels[0], t.Totals.VoluntarySwitches);
                switches.Add(t.SwitchLabels[1], t.Totals.NonvoluntarySwitches);
            }
        }
        if (count.Samples.Count == 0) return;
        into.AddRange([count, cpu, io, major, minor, switches]);
    }

    public static void AddErrors(List<MetricFamily> into, int scrape, int read, int partial)
    {
        into.AddCounter("namedprocess_scrape_errors", "general scrape errors: no proc metrics collected during a cycle", scrape);
        into.AddCounter("namedprocess_scrape_procread_errors", "incremented each time a proc's metrics collection fails", read);
        into.AddCounter("namedprocess_scrape_partial_errors", "incremented each time a tracked proc's metrics collection fails partially, e.g. unreadable I/O stats", partial);
    }
}
