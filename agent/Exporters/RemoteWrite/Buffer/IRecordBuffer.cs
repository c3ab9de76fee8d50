using System.Diagnostics.CodeAnalysis;

namespace Agent.Exporters.RemoteWrite.Buffer;

/// <summary>
/// What the sender reads requests from: records in the order they were written, each handed
/// out once and released by <see cref="Settle"/> when the endpoint acknowledged it or a rule
/// dropped it. Two kinds: on disk (survives restarts) and in memory.
/// </summary>
public interface IRecordBuffer
{
    /// <summary>The next record not handed out yet, oldest first.</summary>
    bool TryRead([NotNullWhen(true)] out BufferedRecord? record);

    /// <summary>The record was acknowledged (2xx), refused for good (4xx) or dropped by rule: it may go.</summary>
    void Settle(BufferedRecord record);

    /// <summary>Records written but not handed out yet (the backlog that decides catch-up).</summary>
    long Unread { get; }

    /// <summary>Completes when a record may have been written.</summary>
    Task WaitAsync(CancellationToken ct);
}
