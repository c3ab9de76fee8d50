using System.Text;
using Agent.Pipeline;

namespace Agent.Tests.Support;

/// <summary>
/// The log pipeline's entry as a list: every entry a source handed over, in order, acknowledged at
/// once (as a monitor that is always up would). <see cref="OnLine"/> runs inside the write, while the
/// source waits on it: the moment to change a file under a reader.
/// </summary>
public sealed class ListLogSink : ILogSink
{
    private readonly List<LogEntry> _entries = [];

    public Action<string>? OnLine { get; set; }

    public bool Acknowledge { get; init; } = true;

    public IReadOnlyList<LogEntry> Entries
    {
        get { lock (_entries) return [.. _entries]; }
    }

    public List<string> Lines => Entries.Select(e => Encoding.UTF8.GetString(e.Line)).ToList();

    public ValueTask WriteAsync(LogEntry entry, CancellationToken ct)
    {
        lock (_entries) _entries.Add(entry);
        OnLine?.Invoke(Encoding.UTF8.GetString(entry.Line));
        if (Acknowledge) entry.Ack?.Acknowledge(entry.AckOffset);
        return ValueTask.CompletedTask;
    }

    public async Task<List<string>> WaitForLinesAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Entries.Count < count && DateTime.UtcNow < deadline) await Task.Delay(20);
        return Lines;
    }
}
