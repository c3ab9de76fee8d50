using System.Text;

namespace Agent.Collectors.Process;

internal enum TrackState
{
    /// <summary>Seen for the first time this cycle; not yet matched to a group.</summary>
    Pending,
    Tracked,
    /// <summary>No group wants it: not read again while it lives (unless recheck).</summary>
    Ignored,
}

/// <summary>
/// What the collector keeps for one live process, identified by (pid, start time): its group,
/// its counters at the last read and what they grew by this cycle, and this cycle's gauges.
/// Dropped as soon as the process is gone.
/// </summary>
internal sealed class TrackedProcess(int pid, long startTicks)
{
    public int Pid { get; } = pid;
    public long StartTicks { get; } = startTicks;
    public int ParentPid { get; set; }
    public TrackState State { get; set; }
    public GroupState? Group { get; set; }
    /// <summary>Only while pending: dropped once the process is matched or ignored.</summary>
    public ProcessIdentity? Identity { get; set; }
    public int SeenCycle { get; set; }

    public Counts Last;
    public Counts Latest;
    public StateCounts States;
    public double ResidentBytes, VirtualBytes, SwappedBytes, ProportionalBytes, ProportionalSwapBytes;
    public double NumThreads;
    public double StartSeconds;
    /// <summary>-1 when /proc/[pid]/fd is unreadable.</summary>
    public long OpenFds;
    /// <summary>0 when unknown (zombies have no limits).</summary>
    public ulong FdLimit;

    /// <summary>Only for processes with more than one thread and threads enabled.</summary>
    public Dictionary<int, TrackedThread>? Threads { get; set; }
}

/// <summary>One thread of a multi-threaded process, kept under its tid and told apart from a reused tid by its start time.</summary>
internal sealed class TrackedThread(long startTicks)
{
    private byte[] _nameBytes = [];

    public long StartTicks { get; } = startTicks;
    public string Name { get; private set; } = "";
    public int SeenCycle { get; set; }
    public Counts Last;
    public Counts Latest;

    /// <summary>Threads rename themselves rarely; compare bytes so that a cycle allocates no name.</summary>
    public void SetName(ReadOnlySpan<byte> comm)
    {
        if (comm.SequenceEqual(_nameBytes)) return;
        _nameBytes = comm.ToArray();
        Name = Encoding.UTF8.GetString(comm);
    }
}

/// <summary>Threads per state, process-exporter's five buckets of stat's state letter.</summary>
internal struct StateCounts
{
    public int Running, Sleeping, Waiting, Zombie, Other;

    public void Add(byte state)
    {
        switch (state)
        {
            case (byte)'R': Running++; break;
            case (byte)'S': Sleeping++; break;
            case (byte)'D': Waiting++; break;
            case (byte)'Z': Zombie++; break;
            default: Other++; break;
        }
    }

    public void Add(in StateCounts other)
    {
        Running += other.Running;
        Sleeping += other.Sleeping;
        Waiting += other.Waiting;
        Zombie += other.Zombie;
        Other += other.Other;
    }
}
