using Agent.Exporters.RemoteWrite;
using Agent.Exporters.RemoteWrite.Buffer;
using Agent.Pipeline;
using Xunit;
using WriteRequest = Agent.Protos.Prometheus.WriteRequest;

namespace Agent.Tests.Exporters.RemoteWrite;

public sealed class SeriesSharderTests
{
    private static BufferedRecord Record(long ts, int series)
    {
        var family = new MetricFamily("node_cpu_seconds_total", "h", MetricType.Counter, series);
        for (var i = 0; i < series; i++) family.Add([new Label("cpu", i.ToString()), new Label("mode", "idle")], i + 0.5);
        var batch = new MetricBatch("node", ts, [family]);
        var body = new RemoteWriteEncoder([new Label("host", "h")]).Encode([new SeriesChunk(batch, 0, series)]).ToArray();
        return new BufferedRecord(1, ts, series, body);
    }

    private static WriteRequest Parse(byte[] series) => WriteRequest.Parser.ParseFrom(series);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void Every_series_lands_in_exactly_one_part_with_its_sample_count(int shards)
    {
        var record = Record(1_700_000_000_000, 100);
        var parts = new SeriesSharder().Split(record, shards);
        Assert.Equal(shards, parts.Length);
        var seen = new List<string>();
        foreach (var part in parts)
        {
            if (part is null) continue;
            var request = Parse(part.Series);
            Assert.Equal(request.Timeseries.Sum(t => t.Samples.Count), part.Samples);
            seen.AddRange(request.Timeseries.Select(t => t.Labels.Single(l => l.Name == "cpu").Value));
        }
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i.ToString()).Order(), seen.Order());
        if (shards > 1) Assert.True(parts.Count(p => p is not null) > 1, "100 series all hashed to one shard");
    }

    [Fact]
    public void A_series_goes_to_the_same_shard_in_every_record()
    {
        var sharder = new SeriesSharder();
        string ShardsOf(BufferedRecord record) => string.Join("|", sharder.Split(record, 4)
            .Select(p => p is null ? "" : string.Join(",", Parse(p.Series).Timeseries.Select(t => t.Labels.Single(l => l.Name == "cpu").Value))));
        Assert.Equal(ShardsOf(Record(1_700_000_000_000, 40)), ShardsOf(Record(1_700_000_060_000, 40)));
    }

    [Fact]
    public void A_body_that_is_no_write_request_is_refused_with_a_clear_error()
    {
        var garbage = Snappier.Snappy.CompressToArray([0x12, 0x05, 1, 2]);
        var e = Assert.Throws<InvalidDataException>(() => new SeriesSharder().Split(new BufferedRecord(1, 0, 1, garbage), 2));
        Assert.Contains("buffered request", e.Message);
    }
}
