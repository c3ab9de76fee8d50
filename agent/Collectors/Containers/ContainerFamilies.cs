using Agent.Pipeline;

namespace Agent.Collectors.Containers;

/// <summary>
/// The cAdvisor families of one cycle, with cAdvisor's names, HELP text (verbatim, missing
/// full stops included) and types, so dashboards and alert rules written for cAdvisor work.
/// </summary>
internal sealed class ContainerFamilies(int containers)
{
    public readonly MetricFamily CpuUsage = Counter("container_cpu_usage_seconds_total", "Cumulative cpu time consumed in seconds.", containers);
    public readonly MetricFamily CpuUser = Counter("container_cpu_user_seconds_total", "Cumulative user cpu time consumed in seconds.", containers);
    public readonly MetricFamily CpuSystem = Counter("container_cpu_system_seconds_total", "Cumulative system cpu time consumed in seconds.", containers);
    public readonly MetricFamily CfsPeriods = Counter("container_cpu_cfs_periods_total", "Number of elapsed enforcement period intervals.", containers);
    public readonly MetricFamily CfsThrottledPeriods = Counter("container_cpu_cfs_throttled_periods_total", "Number of throttled period intervals.", containers);
    public readonly MetricFamily CfsThrottledSeconds = Counter("container_cpu_cfs_throttled_seconds_total", "Total time duration the container has been throttled.", containers);

    public readonly MetricFamily MemoryUsage = Gauge("container_memory_usage_bytes", "Current memory usage in bytes, including all memory regardless of when it was accessed", containers);
    public readonly MetricFamily MemoryWorkingSet = Gauge("container_memory_working_set_bytes", "Current working set in bytes.", containers);
    public readonly MetricFamily MemoryRss = Gauge("container_memory_rss", "Size of RSS in bytes.", containers);
    public readonly MetricFamily MemoryCache = Gauge("container_memory_cache", "Number of bytes of page cache memory.", containers);
    public readonly MetricFamily MemorySwap = Gauge("container_memory_swap", "Container swap usage in bytes.", containers);
    public readonly MetricFamily MemoryMappedFile = Gauge("container_memory_mapped_file", "Size of memory mapped files in bytes.", containers);
    public readonly MetricFamily MemoryMaxUsage = Gauge("container_memory_max_usage_bytes", "Maximum memory usage recorded in bytes", containers);
    public readonly MetricFamily MemoryFailcnt = Counter("container_memory_failcnt", "Number of memory usage hits limits", containers);
    public readonly MetricFamily OomEvents = Counter("container_oom_events_total", "Count of out of memory events observed for the container", containers);

    public readonly MetricFamily SpecMemoryLimit = Gauge("container_spec_memory_limit_bytes", "Memory limit for the container.", containers);
    public readonly MetricFamily SpecMemoryReservation = Gauge("container_spec_memory_reservation_limit_bytes", "Memory reservation limit for the container.", containers);
    public readonly MetricFamily SpecMemorySwapLimit = Gauge("container_spec_memory_swap_limit_bytes", "Memory swap limit for the container.", containers);
    public readonly MetricFamily SpecCpuQuota = Gauge("container_spec_cpu_quota", "CPU quota of the container.", containers);
    public readonly MetricFamily SpecCpuPeriod = Gauge("container_spec_cpu_period", "CPU period of the container.", containers);
    public readonly MetricFamily SpecCpuShares = Gauge("container_spec_cpu_shares", "CPU share of the container.", containers);

    public readonly MetricFamily ReceiveBytes = Counter("container_network_receive_bytes_total", "Cumulative count of bytes received", containers);
    public readonly MetricFamily ReceivePackets = Counter("container_network_receive_packets_total", "Cumulative count of packets received", containers);
    public readonly MetricFamily ReceiveErrors = Counter("container_network_receive_errors_total", "Cumulative count of errors encountered while receiving", containers);
    public readonly MetricFamily ReceiveDropped = Counter("container_network_receive_packets_dropped_total", "Cumulative count of packets dropped while receiving", containers);
    public readonly MetricFamily TransmitBytes = Counter("container_network_transmit_bytes_total", "Cumulative count of bytes transmitted", containers);
    public readonly MetricFamily TransmitPackets = Counter("container_network_transmit_packets_total", "Cumulative count of packets transmitted", containers);
    public readonly MetricFamily TransmitErrors = Counter("container_network_transmit_errors_total", "Cumulative count of errors encountered while transmitting", containers);
    public readonly MetricFamily TransmitDropped = Counter("container_network_transmit_packets_dropped_total", "Cumulative count of packets dropped while transmitting", containers);

    public readonly MetricFamily FsReadBytes = Counter("container_fs_reads_bytes_total", "Cumulative count of bytes read", containers);
    public readonly MetricFamily FsWriteBytes = Counter("container_fs_writes_bytes_total", "Cumulative count of bytes written", containers);
    public readonly MetricFamily BlkioDeviceUsage = Counter("container_blkio_device_usage_total", "Blkio Device bytes usage", containers);
    public readonly MetricFamily FsUsage = Gauge("container_fs_usage_bytes", "Number of bytes that are consumed by the container on this filesystem.", containers);
    public readonly MetricFamily FsLimit = Gauge("container_fs_limit_bytes", "Number of bytes that can be consumed by the container on this filesystem.", containers);

    public readonly MetricFamily Processes = Gauge("container_processes", "Number of processes running inside the container.", containers);
    public readonly MetricFamily Threads = Gauge("container_threads", "Number of threads running inside the container", containers);
    public readonly MetricFamily StartTime = Gauge("container_start_time_seconds", "Start time of the container since unix epoch in seconds.", containers);
    public readonly MetricFamily LastSeen = Gauge("container_last_seen", "Last time a container was seen by the exporter", containers);

    /// <summary>Families with at least one series, in the order above; an empty family says nothing.</summary>
    public void AddTo(List<MetricFamily> into)
    {
        foreach (var family in (ReadOnlySpan<MetricFamily>)
        [
            CpuUsage, CpuUser, CpuSystem, CfsPeriods, CfsThrottledPeriods, CfsThrottledSeconds,
            MemoryUsage, MemoryWorkingSet, MemoryRss, MemoryCache, MemorySwap, MemoryMappedFile, MemoryMaxUsage, MemoryFailcnt, OomEvents,
            SpecMemoryLimit, SpecMemoryReservation, SpecMemorySwapLimit, SpecCpuQuota, SpecCpuPeriod, SpecCpuShares,
            ReceiveBytes, ReceivePackets, ReceiveErrors, ReceiveDropped, TransmitBytes, TransmitPackets, TransmitErrors, TransmitDropped,
            FsReadBytes, FsWriteBytes, BlkioDeviceUsage, FsUsage, FsLimit,
            Processes, Threads, StartTime, LastSeen,
        ])
        {
            if (family.Samples.Count > 0) into.Add(family);
        }
    }

    private static MetricFamily Counter(string name, string help, int capacity) => new(name, help, MetricType.Counter, capacity);

    private static MetricFamily Gauge(string name, string help, int capacity) => new(name, help, MetricType.Gauge, capacity);
}
