using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Agent.Pipeline;

namespace Agent.Logs.Journal;

/// <summary>
/// The Loki stream of each (unit, syslog_identifier, transport, level), built once: an entry's
/// field bytes are looked up without allocating, and only a combination not seen before
/// becomes label strings. A field an entry lacks is a label the stream lacks. Units named per
/// session or per instance could grow the table without end, so it starts over past a bound.
/// </summary>
internal sealed class JournalStreams(Label[] sourceLabels)
{
    private const int MaxStreams = 4096;

    private readonly Dictionary<byte[], StreamState> _streams = new(ByteKeyComparer.Instance);
    private readonly ArrayBufferWriter<byte> _key = new(128);

    public StreamState For(JournalFields fields, string level)
    {
        _key.ResetWrittenCount();
        Append(fields.Unit);
        Append(fields.Identifier);
        Append(fields.Transport);
        Encoding.ASCII.GetBytes(level, _key);
        var lookup = _streams.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(_key.WrittenSpan, out var known)) return known;
        if (_streams.Count >= MaxStreams) _streams.Clear();
        var own = new List<Label>(4) { new("level", level) };
        if (fields.Unit.Present && fields.Unit.Bytes.Length > 0) own.Add(new Label("unit", Text(fields.Unit.Bytes)));
        if (fields.Identifier.Present && fields.Identifier.Bytes.Length > 0) own.Add(new Label("syslog_identifier", Text(fields.Identifier.Bytes)));
        if (fields.Transport.Present && fields.Transport.Bytes.Length > 0) own.Add(new Label("transport", Text(fields.Transport.Bytes)));
        var state = new StreamState(new LogStream(Labels.Merge(Labels.Sorted(own), sourceLabels)));
        _streams[_key.WrittenSpan.ToArray()] = state;
        return state;
    }

    /// <summary>Length-prefixed, so that no value can run into the next one; absent and empty both count as empty.</summary>
    private void Append(JournalFields.Value value)
    {
        var bytes = value.Bytes;
        BinaryPrimitives.WriteInt32LittleEndian(_key.GetSpan(4), bytes.Length);
        _key.Advance(4);
        _key.Write(bytes);
    }

    /// <summary>Label values must be valid UTF-8 for Loki; broken bytes become U+FFFD, as in lines.</summary>
    private static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    private sealed class ByteKeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteKeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] key) => GetHashCode((ReadOnlySpan<byte>)key);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}

/// <summary>A stream and the timestamp of its last entry, so that entries sharing a microsecond stay distinct in Loki.</summary>
internal sealed class StreamState(LogStream stream)
{
    public LogStream Stream { get; } = stream;

    public long LastNs { get; set; }
}
