using System.Buffers;
using Agent.Exporters.RemoteWrite.Buffer;
using Snappier;

namespace Agent.Exporters.RemoteWrite;

/// <summary>One shard's share of a buffered request: whole TimeSeries messages, uncompressed.</summary>
public sealed class ShardPart(BufferedRecord record, byte[] series, int samples)
{
    public BufferedRecord Record { get; } = record;
    /// <summary>Concatenated WriteRequest.timeseries fields: parts concatenate into a valid WriteRequest.</summary>
    public byte[] Series { get; } = series;
    public int Samples { get; } = samples;
}

/// <summary>
/// Splits a buffered request by series for parallel catch-up, as Prometheus shards its queue:
/// a series always lands in the same shard (CRC-32C of its label bytes), and each shard is
/// sent in order, so per-series time order holds however many requests are in flight.
/// Works on the encoded bytes (no label strings are rebuilt). One per dispatcher.
/// </summary>
public sealed class SeriesSharder
{
    private const int TimeSeriesField = 1, LabelsField = 1, SamplesField = 2;
    private byte[] _raw = new byte[256 * 1024];
    private readonly List<ArrayBufferWriter<byte>> _shards = [];
    private readonly List<int> _samples = [];

    /// <summary>Non-empty parts of <paramref name="record"/>, indexed by shard (null where a shard got nothing).</summary>
    public ShardPart?[] Split(BufferedRecord record, int shards)
    {
        var length = Snappy.GetUncompressedLength(record.Body);
        if (_raw.Length < length) _raw = new byte[Math.Max(length, _raw.Length * 2)];
        var raw = _raw.AsSpan(0, Snappy.Decompress(record.Body, _raw));
        while (_shards.Count < shards)
        {
            _shards.Add(new ArrayBufferWriter<byte>(16 * 1024));
            _samples.Add(0);
        }
        for (var i = 0; i < shards; i++)
        {
            _shards[i].ResetWrittenCount();
            _samples[i] = 0;
        }
        var at = 0;
        while (at < raw.Length)
        {
            var start = at;
            var tag = ReadVarint(raw, ref at);
            if (tag != (TimeSeriesField << 3 | 2)) throw new InvalidDataException($"unexpected field tag {tag} in a buffered request");
            var size = (int)ReadVarint(raw, ref at);
            if (size < 0 || at + size > raw.Length) throw new InvalidDataException("a time series runs past the end of a buffered request");
            var (hash, samples) = Inspect(raw.Slice(at, size));
            at += size;
            var shard = (int)(hash % (uint)shards);
            _shards[shard].Write(raw[start..at]);
            _samples[shard] += samples;
        }
        var parts = new ShardPart?[shards];
        for (var i = 0; i < shards; i++)
        {
            if (_shards[i].WrittenCount > 0) parts[i] = new ShardPart(record, _shards[i].WrittenSpan.ToArray(), _samples[i]);
        }
        return parts;
    }

    /// <summary>The hash of a series' labels and how many samples it carries.</summary>
    private static (uint Hash, int Samples) Inspect(ReadOnlySpan<byte> series)
    {
        var crc = ~0u;
        var samples = 0;
        var at = 0;
        while (at < series.Length)
        {
            var start = at;
            var tag = ReadVarint(series, ref at);
            switch (tag & 7)
            {
                case 0: ReadVarint(series, ref at); break;
                case 1: at += 8; break;
                case 5: at += 4; break;
                case 2:
                    var length = (int)ReadVarint(series, ref at);
                    at += length;
                    break;
                default: throw new InvalidDataException($"unexpected wire type {tag & 7} in a buffered time series");
            }
            if (at > series.Length) throw new InvalidDataException("a field runs past the end of a buffered time series");
            var field = tag >> 3;
            if (field == LabelsField) crc = Crc32C.Append(crc, series[start..at]);
            else if (field == SamplesField) samples++;
        }
        return (~crc, samples);
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= data.Length) throw new InvalidDataException("a varint runs past the end of a buffered request");
            var b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new InvalidDataException("a varint longer than 10 bytes in a buffered request");
    }
}
