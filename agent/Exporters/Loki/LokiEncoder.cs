using Agent.Pipeline;
using Agent.Protos.Loki;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Snappier;

namespace Agent.Exporters.Loki;

/// <summary>
/// logproto.PushRequest for a batch: one StreamAdapter per label set (selector string, as
/// Loki parses it), entries in arrival order, which the sources keep non-decreasing in time
/// per stream; then snappy block compression into a reused buffer.
/// </summary>
public sealed class LokiEncoder
{
    private byte[] _raw = new byte[64 * 1024];
    private byte[] _compressed = new byte[64 * 1024];

    /// <summary>The returned memory is valid until the next call.</summary>
    public ReadOnlyMemory<byte> Encode(IReadOnlyList<LogEntry> entries)
    {
        var request = new PushRequest();
        var byStream = new Dictionary<string, StreamAdapter>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!byStream.TryGetValue(entry.Stream.Selector, out var stream))
            {
                stream = new StreamAdapter { Labels = entry.Stream.Selector };
                byStream[entry.Stream.Selector] = stream;
                request.Streams.Add(stream);
            }
            stream.Entries.Add(new EntryAdapter
            {
                Timestamp = new Timestamp
                {
                    Seconds = entry.TimestampNs / 1_000_000_000,
                    Nanos = (int)(entry.TimestampNs % 1_000_000_000),
                },
                Line = entry.Line,
            });
        }
        var size = request.CalculateSize();
        if (_raw.Length < size) _raw = new byte[Math.Max(size, _raw.Length * 2)];
        request.WriteTo(_raw.AsSpan(0, size));
        var max = Snappy.GetMaxCompressedLength(size);
        if (_compressed.Length < max) _compressed = new byte[Math.Max(max, _compressed.Length * 2)];
        var written = Snappy.Compress(_raw.AsSpan(0, size), _compressed);
        return _compressed.AsMemory(0, written);
    }
}
