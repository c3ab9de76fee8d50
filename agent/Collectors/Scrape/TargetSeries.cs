using System.Text;
using Agent.Collectors.Exposition;
using Agent.Pipeline;

namespace Agent.Collectors.Scrape;

/// <summary>
/// The series of one target from one scrape to the next, as Prometheus' scrape cache keeps
/// them: a series is looked up by its text as exposed, so its labels are decoded, merged with
/// the target labels and relabelled once, when it first appears; after that a scrape costs a
/// hash and a value parse per line. Series missing from a successful scrape, every series of
/// a failed one, and everything when the target goes away get stale markers. Not thread-safe:
/// one target's scrapes run one at a time.
/// </summary>
public sealed class TargetSeries
{
    private readonly ScrapeTarget _target;
    private readonly MetricRelabeler _relabel;
    private readonly Dictionary<byte[], SeriesEntry> _cache = new(SeriesKeyComparer.Instance);
    private readonly Dictionary<byte[], SeriesEntry>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private StringPool _names = new();
    private readonly List<Label> _scratch = new(16);
    private int _scrape;
    /// <summary>The successful scrape whose series are on the monitor now; -1 when none are.</summary>
    private int _sent = -1;

    public TargetSeries(ScrapeTarget target)
    {
        _target = target;
        _relabel = new MetricRelabeler(target.Settings.MetricRelabel);
        _lookup = _cache.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Series known from the last scrapes (for tests and `agent check`).</summary>
    public int Count => _cache.Count;

    public ScrapeResult Process(ReadOnlySpan<byte> body, ExpositionFormat format, long timestampMs)
    {
        var scrape = ++_scrape;
        var settings = _target.Settings;
        var families = new List<MetricFamily>(64);
        Dictionary<long, List<MetricFamily>>? timed = null;
        int scraped = 0, kept = 0, added = 0;
        string? error = null;
        var reader = new ExpositionReader(body, format);
        while (reader.Read())
        {
            if (reader.Kind != ExpositionEntryKind.Sample) continue;
            scraped++;
            if (!_lookup.TryGetValue(reader.Series, out var entry))
            {
                entry = Create(ref reader, out error);
                if (entry is null) break;
                _lookup[reader.Series] = entry;
                if (!entry.Dropped) added++;
            }
            else if (entry.SeenIn == scrape)
            {
                error = $"line {reader.LineNumber}: duplicate series {Excerpt(reader.Series)}";
                break;
            }
            entry.SeenIn = scrape;
            entry.Timed = reader.HasTimestamp && settings.HonorTimestamps;
            if (entry.Dropped) continue;
            if (++kept > settings.SampleLimit && settings.SampleLimit > 0)
            {
                error = $"more than sample_limit {settings.SampleLimit} samples";
                break;
            }
            if (entry.Timed)
            {
                // An exposed timestamp that did not move would be a duplicate or out-of-order sample, which a
                // receiver refuses with the whole request (other targets' samples included); Prometheus drops it too.
                if (reader.TimestampMs <= entry.LastTimestampMs) continue;
                entry.LastTimestampMs = reader.TimestampMs;
                timed ??= [];
                if (!timed.TryGetValue(reader.TimestampMs, out var atTime)) timed[reader.TimestampMs] = atTime = [];
                Append(atTime, entry, reader.Value);
                continue;
            }
            Append(families, entry, reader.Value);
        }
        error ??= reader.Error;
        if (error is not null) return Fail(error, scraped);
        EndMissing(scrape, families);
        _sent = scrape;
        var batches = new List<MetricBatch>();
        if (timed is not null)
        {
            foreach (var (at, list) in timed) batches.Add(new MetricBatch(_target.Job, at, list));
        }
        return new ScrapeResult(families, batches, scraped, kept, added, null);
    }

    /// <summary>The target could not be scraped (or its body was refused): every series it had ends now.</summary>
    public ScrapeResult Fail(string error, int scraped = 0)
    {
        var families = new List<MetricFamily>();
        if (_sent >= 0)
        {
            foreach (var entry in _cache.Values)
            {
                if (entry.SentIn == _sent) AddStale(families, entry);
            }
        }
        _sent = -1;
        return new ScrapeResult(families, [], scraped, 0, 0, error);
    }

    /// <summary>Stale markers for every series on the monitor: the target was removed.</summary>
    public List<MetricFamily> End()
    {
        var ended = Fail("target removed").Families;
        _cache.Clear();
        return ended;
    }

    private SeriesEntry? Create(ref ExpositionReader reader, out string? error)
    {
        _scratch.Clear();
        if (!ExpositionReader.TryReadLabels(reader.LabelText, _scratch, _target.Settings.LabelValueLengthLimit, _names, out var problem))
        {
            error = $"line {reader.LineNumber}: {problem}";
            return null;
        }
        error = null;
        var name = _names.Get(reader.Name);
        ApplyTargetLabels();
        var keep = _relabel.IsEmpty || _relabel.Keep(name, _scratch);
        _scratch.RemoveAll(static l => l.Value.Length == 0);
        return new SeriesEntry(name, keep ? Labels.Sorted(_scratch) : Labels.Empty, !keep);
    }

    /// <summary>
    /// Prometheus' honor_labels: false renames a scraped label that clashes with a target label
    /// to exported_&lt;name&gt; and sets the target's; true keeps the scraped one and adds only
    /// target labels the sample lacks.
    /// </summary>
    private void ApplyTargetLabels()
    {
        foreach (var target in _target.Labels)
        {
            var at = _scratch.FindIndex(l => l.Name == target.Name);
            var existing = at >= 0 ? _scratch[at].Value : "";
            if (_target.Settings.HonorLabels)
            {
                if (existing.Length > 0) continue;
                if (at >= 0) _scratch[at] = target;
                else _scratch.Add(target);
                continue;
            }
            if (existing.Length > 0)
            {
                var exported = "exported_" + target.Name;
                var clash = _scratch.FindIndex(l => l.Name == exported);
                if (clash >= 0) _scratch[clash] = new Label(exported, existing);
                else _scratch.Add(new Label(exported, existing));
            }
            if (at >= 0) _scratch[at] = target;
            else _scratch.Add(target);
        }
    }

    /// <summary>Marks what this scrape sent and ends what it no longer lists; forgets series gone for good.</summary>
    private void EndMissing(int scrape, List<MetricFamily> families)
    {
        List<byte[]>? forget = null;
        foreach (var (key, entry) in _cache)
        {
            if (entry.SeenIn == scrape)
            {
                // Prometheus gives series with their own timestamps no stale markers: the exporter owns their time.
                if (!entry.Dropped) entry.SentIn = entry.Timed ? -1 : scrape;
                continue;
            }
            if (_sent >= 0 && entry.SentIn == _sent) AddStale(families, entry);
            (forget ??= []).Add(key);
        }
        if (forget is null) return;
        foreach (var key in forget) _cache.Remove(key);
        // A target that puts ids into metric or label names would grow the pool forever; entries keep their strings.
        if (_names.Count > 10_000 && _names.Count > 4 * _cache.Count) _names = new StringPool();
    }

    private static void AddStale(List<MetricFamily> families, SeriesEntry entry) => Append(families, entry, StaleMarkers.StaleNaN);

    /// <summary>Consecutive samples of one name share a family; the encoder needs nothing more.</summary>
    private static void Append(List<MetricFamily> families, SeriesEntry entry, double value)
    {
        var family = families.Count > 0 && ReferenceEquals(families[^1].Name, entry.Name) ? families[^1] : null;
        if (family is null)
        {
            family = new MetricFamily(entry.Name, "", MetricType.Untyped, 4);
            families.Add(family);
        }
        family.Add(entry.Labels, value);
    }

    private static string Excerpt(ReadOnlySpan<byte> series) =>
        Encoding.UTF8.GetString(series.Length > 120 ? series[..120] : series) + (series.Length > 120 ? "…" : "");
}
