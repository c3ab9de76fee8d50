using System.Globalization;
using System.Text;

namespace Agent.Config;

/// <summary>Prometheus-style durations: "15s", "1m30s", "500ms", "2h", "1d", "1w".</summary>
public static class Duration
{
    private static readonly (string Unit, long Ms)[] Units =
        [("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)];

    /// <summary>
    /// A value too large for a TimeSpan ("99999999999999999999w") parses as TimeSpan.MaxValue,
    /// so that the range check names it instead of an OverflowException ending the process.
    /// </summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = text.AsSpan().Trim();
        if (s.Length == 0) return false;
        if (s is "0") return true;
        double totalMs = 0;
        while (s.Length > 0)
        {
            var digits = 0;
            while (digits < s.Length && (char.IsAsciiDigit(s[digits]) || s[digits] == '.')) digits++;
            if (digits == 0) return false;
            if (!double.TryParse(s[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
            s = s[digits..];
            var unitLength = 0;
            while (unitLength < s.Length && char.IsAsciiLetter(s[unitLength])) unitLength++;
            double unitMs = -1;
            foreach (var (unit, ms) in Units)
            {
                if (s[..unitLength].SequenceEqual(unit)) unitMs = ms;
            }
            if (unitMs < 0) return false;
            totalMs += number * unitMs;
            s = s[unitLength..];
        }
        value = totalMs >= TimeSpan.MaxValue.TotalMilliseconds ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    /// <summary>The shortest text that parses back to the value, in the largest units first: "1h", "1m30s", "100ms".</summary>
    public static string Format(TimeSpan value)
    {
        if (value <= TimeSpan.Zero) return "0";
        var ms = (long)value.TotalMilliseconds;
        var text = new StringBuilder();
        foreach (var (unit, unitMs) in Units)
        {
            if (ms < unitMs) continue;
            text.Append(ms / unitMs).Append(unit);
            ms %= unitMs;
        }
        return text.ToString();
    }
}
