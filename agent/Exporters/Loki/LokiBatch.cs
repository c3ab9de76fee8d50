using Agent.Pipeline;

namespace Agent.Exporters.Loki;

/// <summary>Entries collected for one push, in arrival order, with their size in line bytes.</summary>
public sealed class LokiBatch(DateTime created)
{
    public List<LogEntry> Entries { get; } = [];
    public long Bytes { get; private set; }
    public DateTime Created { get; } = created;

    public void Add(LogEntry entry)
    {
        Entries.Add(entry);
        Bytes += entry.Line.Length;
    }

    /// <summary>Tells every entry's source that it is settled (delivered or deliberately dropped).</summary>
    public void Acknowledge()
    {
        foreach (var entry in Entries) entry.Ack?.Acknowledge(entry.AckOffset);
    }
}
