using System.Diagnostics.CodeAnalysis;

namespace Agent.Exporters.RemoteWrite.Buffer;

/// <summary>
/// buffer = "memory": the bounded sample queue itself is the buffer (capacity samples, the
/// oldest dropped as queue_full), encoded into a request when the sender asks for the next
/// record. Nothing survives a restart; what is left at shutdown is counted as dropped.
/// </summary>
public sealed class MemoryBuffer(SampleQueue queue, RemoteWriteEncoder encoder, int maxSamplesPerSend) : IRecordBuffer
{
    private long _seq;

    public long Unread => (queue.Samples + maxSamplesPerSend - 1) / maxSamplesPerSend;

    public bool TryRead([NotNullWhen(true)] out BufferedRecord? record)
    {
        var chunks = queue.Take();
        if (chunks.Count == 0)
        {
            record = null;
            return false;
        }
        var samples = 0;
        var oldest = long.MaxValue;
        foreach (var chunk in chunks)
        {
            samples += chunk.Count;
            oldest = Math.Min(oldest, chunk.Batch.TimestampMs);
        }
        // A copy: the encoder's buffer is reused for the next record while this one is in flight.
        record = new BufferedRecord(_seq++, oldest, samples, encoder.Encode(chunks).ToArray());
        return true;
    }

    public void Settle(BufferedRecord record) => record.Settled = true;

    public Task WaitAsync(CancellationToken ct) => queue.WaitAsync(ct);
}
