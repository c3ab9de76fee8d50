using System.Buffers;
using System.Text;
using Agent.Exporters;
using Agent.Pipeline;
using Snappier;

namespace Agent.Exporters.RemoteWrite;

/// <summary>
/// Remote-write 1.0 encoding: prometheus.WriteRequest (remote.proto) written field by field into
/// a reused buffer, then snappy block compression. Each series' labels are __name__, the
/// sample's labels, job and the external labels, merged in byte-wise order as the spec requires
/// (the sample's own label wins a clash; empty values are left out, as Prometheus does).
/// The generated types in Agent.Protos.Prometheus decode this output in the tests.
/// </summary>
public sealed class RemoteWriteEncoder(Label[] externalLabels)
{
    private const int TimeSeriesField = 1, LabelsField = 1, SamplesField = 2;
    private const int LabelNameField = 1, LabelValueField = 2, SampleValueField = 1, SampleTimestampField = 2;

    private readonly ArrayBufferWriter<byte> _raw = new(64 * 1024);
    private readonly List<Label> _merged = new(32);
    private readonly Dictionary<string, Label[]> _extraByJob = new(StringComparer.Ordinal);
    private byte[] _compressed = new byte[64 * 1024];

    /// <summary>Encodes the chunks as one request; the returned memory is valid until the next call.</summary>
    public ReadOnlyMemory<byte> Encode(IReadOnlyList<SeriesChunk> chunks)
    {
        _raw.ResetWrittenCount();
        foreach (var chunk in chunks)
        {
            var extra = ExtraFor(chunk.Batch.Job);
            var index = 0;
            var end = chunk.Start + chunk.Count;
            foreach (var family in chunk.Batch.Families)
            {
                if (index + family.Samples.Count <= chunk.Start)
                {
                    index += family.Samples.Count;
                    continue;
                }
                foreach (var sample in family.Samples)
                {
                    if (index >= end) break;
                    if (index++ < chunk.Start) continue;
                    WriteSeries(family.Name, sample, extra, chunk.Batch.TimestampMs);
                }
                if (index >= end) break;
            }
        }
        var needed = Snappy.GetMaxCompressedLength(_raw.WrittenCount);
        if (_compressed.Length < needed) _compressed = new byte[Math.Max(needed, _compressed.Length * 2)];
        var written = Snappy.Compress(_raw.WrittenSpan, _compressed);
        return _compressed.AsMemory(0, written);
    }

    private Label[] ExtraFor(string job)
    {
        if (_extraByJob.TryGetValue(job, out var extra)) return extra;
        extra = Labels.Merge([new Label("job", job)], externalLabels);
        _extraByJob[job] = extra;
        return extra;
    }

    private void WriteSeries(string name, MetricSample sample, Label[] extra, long timestampMs)
    {
        MergeLabels(name, sample.Labels, extra);
        var labelsSize = 0;
        foreach (var label in _merged) labelsSize += ProtoWriter.FieldSize(LabelSize(label));
        var sampleSize = 9 + (timestampMs != 0 ? 1 + ProtoWriter.VarintSize((ulong)timestampMs) : 0);
        var seriesSize = labelsSize + ProtoWriter.FieldSize(sampleSize);

        ProtoWriter.Tag(_raw, TimeSeriesField, ProtoWriter.WireLengthDelimited);
        ProtoWriter.Varint(_raw, (ulong)seriesSize);
        foreach (var label in _merged)
        {
            ProtoWriter.Tag(_raw, LabelsField, ProtoWriter.WireLengthDelimited);
            ProtoWriter.Varint(_raw, (ulong)LabelSize(label));
            ProtoWriter.String(_raw, LabelNameField, label.Name, Encoding.UTF8.GetByteCount(label.Name));
            ProtoWriter.String(_raw, LabelValueField, label.Value, Encoding.UTF8.GetByteCount(label.Value));
        }
        ProtoWriter.Tag(_raw, SamplesField, ProtoWriter.WireLengthDelimited);
        ProtoWriter.Varint(_raw, (ulong)sampleSize);
        ProtoWriter.Double(_raw, SampleValueField, sample.Value);
        if (timestampMs != 0)
        {
            ProtoWriter.Tag(_raw, SampleTimestampField, ProtoWriter.WireVarint);
            ProtoWriter.Varint(_raw, (ulong)timestampMs);
        }
    }

    private static int LabelSize(Label label) =>
        ProtoWriter.FieldSize(Encoding.UTF8.GetByteCount(label.Name)) + ProtoWriter.FieldSize(Encoding.UTF8.GetByteCount(label.Value));

    /// <summary>Merges the sample's labels with job + external ones, then places __name__ in order.</summary>
    private void MergeLabels(string name, Label[] own, Label[] extra)
    {
        _merged.Clear();
        foreach (var label in new MergedLabels(own, extra))
        {
            if (label.Value.Length == 0 || label.Name == "__name__") continue;
            _merged.Add(label);
        }
        var at = 0;
        while (at < _merged.Count && string.CompareOrdinal(_merged[at].Name, "__name__") < 0) at++;
        _merged.Insert(at, new Label("__name__", name));
    }
}
