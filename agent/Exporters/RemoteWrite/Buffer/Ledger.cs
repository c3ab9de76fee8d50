using System.Globalization;
using System.Text;
using Agent.Telemetry;

namespace Agent.Exporters.RemoteWrite.Buffer;

/// <summary>
/// What of a disk buffer is settled: every record below <see cref="Mark"/>, plus the few above
/// it that shards acknowledged out of order. Written as three text lines to a temporary file
/// renamed over the old one, so a crash leaves the old ledger or the new one, never half of one.
/// It is not fsynced (the segments are): a ledger lost with the page cache in a power cut only
/// means records are sent again (at-least-once), never that data is lost, and skipping the
/// second fsync a second halves what the buffer costs in I/O.
/// </summary>
public sealed class Ledger(long mark, IReadOnlyCollection<long> settled)
{
    public const string FileName = "ledger";
    private const string Header = "agent remote-write buffer ledger v1";

    public long Mark { get; } = mark;
    public IReadOnlyCollection<long> Settled { get; } = settled;

    public static readonly Ledger Empty = new(0, []);

    /// <summary>The saved ledger; <see cref="Empty"/> (replay everything) when there is none or it cannot be read.</summary>
    public static Ledger Load(string dir, out string? problem)
    {
        problem = null;
        var path = Path.Combine(dir, FileName);
        if (!File.Exists(path)) return Empty;
        try
        {
            var lines = File.ReadAllLines(path);
            if (lines.Length >= 3 && lines[0] == Header
                && lines[1].StartsWith("mark ", StringComparison.Ordinal)
                && long.TryParse(lines[1].AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var mark)
                && lines[2].StartsWith("settled", StringComparison.Ordinal))
            {
                var settled = new List<long>();
                foreach (var range in lines[2].AsSpan(7).Split(' '))
                {
                    var item = lines[2].AsSpan(7)[range];
                    if (item.IsEmpty) continue;
                    if (!long.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var seq)) return Unreadable(path, out problem);
                    settled.Add(seq);
                }
                return new Ledger(mark, settled);
            }
            return Unreadable(path, out problem);
        }
        catch (IOException e)
        {
            problem = $"{path}: {ErrorText.Of(e)}";
            return Empty;
        }
    }

    private static Ledger Unreadable(string path, out string problem)
    {
        problem = $"{path} is not a ledger";
        return Empty;
    }

    public void Save(string dir)
    {
        var text = new StringBuilder(64).Append(Header).Append('\n')
            .Append("mark ").Append(Mark.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("settled");
        foreach (var seq in Settled) text.Append(' ').Append(seq.ToString(CultureInfo.InvariantCulture));
        text.Append('\n');
        var tmp = Path.Combine(dir, FileName + ".tmp");
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.ASCII.GetBytes(text.ToString()));
        }
        File.Move(tmp, Path.Combine(dir, FileName), overwrite: true);
    }
}
