using System.Buffers;
using System.Text;
using Agent.Pipeline;
using Snappier;

namespace Agent.Exporters.Loki;

/// <summary>
/// logproto.PushRequest (push.proto) for a batch, written field by field into a reused buffer:
/// one StreamAdapter per label set (its selector string, as Loki parses it), entries in arrival
/// order, which the sources keep strictly increasing in time per stream; then snappy block
/// compression. The generated types in Agent.Protos.Loki decode this output in the tests.
/// </summary>
public sealed class LokiEncoder
{
    private const int StreamsField = 1, LabelsField = 1, EntriesField = 2;
    private const int TimestampField = 1, LineField = 2, SecondsField = 1, NanosField = 2;

    private readonly ArrayBufferWriter<byte> _raw = new(64 * 1024);
    private readonly Dictionary<string, List<LogEntry>> _byStream = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private byte[] _compressed = new byte[64 * 1024];

    /// <summary>The returned memory is valid until the next call.</summary>
    public ReadOnlyMemory<byte> Encode(IReadOnlyList<LogEntry> entries)
    {
        _raw.ResetWrittenCount();
        _byStream.Clear();
        _order.Clear();
        foreach (var entry in entries)
        {
            if (!_byStream.TryGetValue(entry.Stream.Selector, out var list))
            {
                list = [];
                _byStream[entry.Stream.Selector] = list;
                _order.Add(entry.Stream.Selector);
            }
            list.Add(entry);
        }
        foreach (var selector in _order)
        {
            var list = _byStream[selector];
            var labelsBytes = Encoding.UTF8.GetByteCount(selector);
            var streamSize = ProtoWriter.FieldSize(labelsBytes);
            foreach (var entry in list) streamSize += ProtoWriter.FieldSize(EntrySize(entry));
            ProtoWriter.Tag(_raw, StreamsField, ProtoWriter.WireLengthDelimited);
            ProtoWriter.Varint(_raw, (ulong)streamSize);
            ProtoWriter.String(_raw, LabelsField, selector, labelsBytes);
            foreach (var entry in list)
            {
                ProtoWriter.Tag(_raw, EntriesField, ProtoWriter.WireLengthDelimited);
                ProtoWriter.Varint(_raw, (ulong)EntrySize(entry));
                var (seconds, nanos) = Split(entry.TimestampNs);
                ProtoWriter.Tag(_raw, TimestampField, ProtoWriter.WireLengthDelimited);
                ProtoWriter.Varint(_raw, (ulong)TimestampSize(seconds, nanos));
                if (seconds != 0)
                {
                    ProtoWriter.Tag(_raw, SecondsField, ProtoWriter.WireVarint);
                    ProtoWriter.Varint(_raw, (ulong)seconds);
                }
                if (nanos != 0)
                {
                    ProtoWriter.Tag(_raw, NanosField, ProtoWriter.WireVarint);
                    ProtoWriter.Varint(_raw, (ulong)nanos);
                }
                ProtoWriter.Bytes(_raw, LineField, entry.Line);
            }
        }
        var max = Snappy.GetMaxCompressedLength(_raw.WrittenCount);
        if (_compressed.Length < max) _compressed = new byte[Math.Max(max, _compressed.Length * 2)];
        var written = Snappy.Compress(_raw.WrittenSpan, _compressed);
        return _compressed.AsMemory(0, written);
    }

    private static (long Seconds, long Nanos) Split(long timestampNs) => (timestampNs / 1_000_000_000, timestampNs % 1_000_000_000);

    private static int TimestampSize(long seconds, long nanos) =>
        (seconds != 0 ? 1 + ProtoWriter.VarintSize((ulong)seconds) : 0) + (nanos != 0 ? 1 + ProtoWriter.VarintSize((ulong)nanos) : 0);

    private static int EntrySize(LogEntry entry)
    {
        var (seconds, nanos) = Split(entry.TimestampNs);
        return ProtoWriter.FieldSize(TimestampSize(seconds, nanos)) + ProtoWriter.FieldSize(entry.Line.Length);
    }
}
