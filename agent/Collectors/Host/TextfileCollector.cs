using Agent.Collectors.Exposition;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's textfile collector: every *.prom file in textfile_dir, validated; a file
/// that does not parse is skipped whole and node_textfile_scrape_error becomes 1 (as with
/// node_exporter; `agent check --metrics` shows it). Without a
/// directory only node_textfile_scrape_error 0 is reported, as node_exporter does.
/// </summary>
public sealed class TextfileCollector(string directory) : ICollector
{
    public string Name => "textfile";

    public void Collect(List<MetricFamily> into)
    {
        var error = 0;
        if (directory.Length > 0)
        {
            var mtime = new MetricFamily("node_textfile_mtime_seconds", "Unixtime mtime of textfiles successfully read.", MetricType.Gauge);
            IEnumerable<string> files;
            try
            {
                files = Directory.EnumerateFiles(directory, "*.prom").Order(StringComparer.Ordinal).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                files = [];
                error = 1;
            }
            foreach (var file in files)
            {
                var parsed = new List<MetricFamily>();
                try
                {
                    if (!ExpositionFamilies.TryParse(File.ReadAllBytes(file), ExpositionFormat.Text, parsed, out _))
                    {
                        error = 1;
                        continue;
                    }
                    mtime.Add([new Label("file", Path.GetFileName(file))], new DateTimeOffset(File.GetLastWriteTimeUtc(file)).ToUnixTimeMilliseconds() / 1000.0);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    error = 1;
                    continue;
                }
                into.AddRange(parsed);
            }
            into.Add(mtime);
        }
        into.AddGauge("node_textfile_scrape_error", "1 if there was an error opening or reading a file, 0 otherwise", error);
    }
}
