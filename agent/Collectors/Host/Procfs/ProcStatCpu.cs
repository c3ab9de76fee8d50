namespace Agent.Collectors.Host.Procfs;

/// <summary>One "cpuN" line of /proc/stat, in USER_HZ ticks. Fields a kernel lacks stay 0.</summary>
public struct ProcStatCpu
{
    public int Cpu;
    public ulong User, Nice, System, Idle, Iowait, Irq, Softirq, Steal, Guest, GuestNice;
}
