using System.Buffers.Text;
using System.Globalization;

namespace Agent.Logs.Docker;

/// <summary>
/// The timestamps of Docker's log API: each line arrives as "&lt;RFC3339Nano&gt; &lt;text&gt;" when
/// asked with timestamps=true, and the since parameter takes "&lt;seconds&gt;.&lt;nanoseconds&gt;".
/// Both as Unix nanoseconds, the unit of Loki entries and of container positions.
/// </summary>
public static class DockerTimestamp
{
    /// <summary>
    /// Parses the timestamp ending at the first space: "2006-01-02T15:04:05.999999999Z" with 0–9
    /// fraction digits and Z or a ±hh:mm offset. <paramref name="consumed"/> includes the space.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out long unixNs, out int consumed)
    {
        unixNs = 0;
        consumed = 0;
        // The longest form, "2006-01-02T15:04:05.999999999+07:00", is 35 bytes: never scan a whole line.
        var space = line[..Math.Min(line.Length, 36)].IndexOf((byte)' ');
        var text = space < 0 ? line : line[..space];
        if (text.Length < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':') return false;
        if (!Digits(text.Slice(0, 4), out var year) || !Digits(text.Slice(5, 2), out var month) || !Digits(text.Slice(8, 2), out var day)
            || !Digits(text.Slice(11, 2), out var hour) || !Digits(text.Slice(14, 2), out var minute) || !Digits(text.Slice(17, 2), out var second))
        {
            return false;
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return false;
        var rest = text[19..];
        long fraction = 0;
        if (rest[0] == '.')
        {
            var digits = 0;
            rest = rest[1..];
            while (digits < rest.Length && rest[digits] is >= (byte)'0' and <= (byte)'9') digits++;
            if (digits is 0 or > 9) return false;
            for (var i = 0; i < 9; i++) fraction = fraction * 10 + (i < digits ? rest[i] - '0' : 0);
            rest = rest[digits..];
        }
        long offsetSeconds;
        if (rest.Length == 1 && rest[0] == 'Z')
        {
            offsetSeconds = 0;
        }
        else if (rest.Length == 6 && rest[0] is (byte)'+' or (byte)'-' && rest[3] == ':'
            && Digits(rest.Slice(1, 2), out var offsetHours) && Digits(rest.Slice(4, 2), out var offsetMinutes) && offsetHours < 24 && offsetMinutes < 60)
        {
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (rest[0] == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }
        var seconds = (new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc) - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerSecond - offsetSeconds;
        unixNs = seconds * 1_000_000_000 + fraction;
        consumed = space < 0 ? text.Length : space + 1;
        return true;
    }

    /// <summary>The since parameter for "after this instant": seconds, a dot, nine digits of nanoseconds.</summary>
    public static string Since(long unixNs) =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.DivRem(unixNs, 1_000_000_000, out var ns)}.{ns:D9}");

    private static bool Digits(ReadOnlySpan<byte> text, out int value) =>
        Utf8Parser.TryParse(text, out value, out var used) && used == text.Length && text[0] is >= (byte)'0' and <= (byte)'9';
}
