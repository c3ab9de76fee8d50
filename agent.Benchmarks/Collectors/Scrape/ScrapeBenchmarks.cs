using System.Globalization;
using System.Text;
using Agent.Collectors.Exposition;
using Agent.Collectors.Scrape;
using Agent.Config;
using BenchmarkDotNet.Attributes;

namespace Agent.Benchmarks.Collectors.Scrape;

/// <summary>
/// One scrape of a body of N series after the first (every series cached): parse, look up,
/// build the batch, mark what ended. The body is the one bench/scrape-cpu.sh serves.
/// </summary>
[MemoryDiagnoser]
public class ScrapeBenchmarks
{
    private byte[] _body = null!;
    private TargetSeries _series = null!;
    private long _timestamp = 1_700_000_000_000;

    [Params(50_000)]
    public int Series { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder();
        var random = new Random(1);
        var per = Series / 500;
        string[] methods = ["GET", "POST", "PUT", "DELETE"];
        for (var f = 0; f < 500; f++)
        {
            var name = $"app_bench_metric_{f}_total";
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} Benchmark family {f}.\n# TYPE {name} counter\n");
            for (var i = 0; i < per; i++)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"{name}{{handler=\"/api/v1/resource/{i % 50}\",method=\"{methods[i % 4]}\",shard=\"{i / 50}\"}} {random.NextDouble() * 1e6:F3}\n");
            }
        }
        _body = Encoding.UTF8.GetBytes(text.ToString());
        var job = new ScrapeConfig { JobName = "bench", IntervalValue = TimeSpan.FromSeconds(10), TimeoutValue = TimeSpan.FromSeconds(10) };
        _series = new TargetSeries(new ScrapeTarget("bench", new Uri("http://127.0.0.1:9100/metrics"), job));
        _series.Process(_body, ExpositionFormat.Text, _timestamp);
    }

    [Benchmark]
    public int CachedScrape() => _series.Process(_body, ExpositionFormat.Text, _timestamp += 10_000).PostRelabel;
}
