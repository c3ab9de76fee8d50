using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's conntrack collector: table size and limit from /proc/sys/net/netfilter, and
/// the per-CPU hex counters of /proc/net/stat/nf_conntrack summed. No netfilter module loaded:
/// nothing to report.
/// </summary>
public sealed class ConntrackCollector(HostPaths paths) : ICollector
{
    private static readonly (string Column, string Name, string Help)[] Stats =
    [
        ("found", "node_nf_conntrack_stat_found", "Number of searched entries which were successful."),
        ("invalid", "node_nf_conntrack_stat_invalid", "Number of packets seen which can not be tracked."),
        ("ignore", "node_nf_conntrack_stat_ignore", "Number of packets seen which are already connected to a conntrack entry."),
        ("insert", "node_nf_conntrack_stat_insert", "Number of entries inserted into the list."),
        ("insert_failed", "node_nf_conntrack_stat_insert_failed", "Number of entries for which list insertion was attempted but failed."),
        ("drop", "node_nf_conntrack_stat_drop", "Number of packets dropped due to conntrack failure."),
        ("early_drop", "node_nf_conntrack_stat_early_drop", "Number of dropped conntrack entries to make room for new ones, if maximum table size was reached."),
        ("search_restart", "node_nf_conntrack_stat_search_restart", "Number of conntrack table lookups which had to be restarted due to hashtable resizes."),
    ];

    private static readonly byte[][] StatColumns = [.. Stats.Select(s => System.Text.Encoding.ASCII.GetBytes(s.Column))];

    private readonly string _count = paths.ProcFile("sys/net/netfilter/nf_conntrack_count");
    private readonly string _max = paths.ProcFile("sys/net/netfilter/nf_conntrack_max");
    private readonly string _stat = paths.ProcFile("net/stat/nf_conntrack");
    private readonly ProcFileReader _reader = new(4096);

    public string Name => "conntrack";

    public void Collect(List<Pipeline.MetricFamily> into)
    {
        if (!_reader.TryRead(_count, out var c) || !ProcNumbers.TryParseLong(c, out var count)) return;
        into.AddGauge("node_nf_conntrack_entries", "Number of currently allocated flow entries for connection tracking.", count);
        if (_reader.TryRead(_max, out var m) && ProcNumbers.TryParseLong(m, out var max))
        {
            into.AddGauge("node_nf_conntrack_entries_limit", "Maximum size of connection tracking table.", max);
        }
        if (!_reader.TryRead(_stat, out var stat)) return;
        var lines = new LineEnumerator(stat);
        if (!lines.MoveNext()) return;
        Span<int> columnOf = stackalloc int[Stats.Length];
        columnOf.Fill(-1);
        var header = new FieldEnumerator(lines.Current);
        for (var column = 0; header.MoveNext(); column++)
        {
            for (var s = 0; s < Stats.Length; s++)
            {
                if (header.Current.SequenceEqual(StatColumns[s])) columnOf[s] = column;
            }
        }
        Span<long> sums = stackalloc long[Stats.Length];
        while (lines.MoveNext())
        {
            var fields = new FieldEnumerator(lines.Current);
            for (var column = 0; fields.MoveNext(); column++)
            {
                var s = columnOf.IndexOf(column);
                if (s >= 0 && ProcNumbers.TryParseHex(fields.Current, out var v)) sums[s] += v;
            }
        }
        for (var s = 0; s < Stats.Length; s++)
        {
            if (columnOf[s] >= 0) into.AddGauge(Stats[s].Name, Stats[s].Help, sums[s]);
        }
    }
}
