namespace Agent.Config;

/// <summary>Prometheus-style durations: "15s", "1m30s", "500ms", "2h", "1d", "1w".</summary>
public static class Duration
{
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
            if (!double.TryParse(s[..digits], System.Globalization.NumberStyles.AllowDecimalPoint,
                    System.Globalization.CultureInfo.InvariantCulture, out var number)) return false;
            s = s[digits..];
            var unitLength = 0;
            while (unitLength < s.Length && char.IsAsciiLetter(s[unitLength])) unitLength++;
            double unitMs = s[..unitLength] switch
            {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                "w" => 604_800_000,
                _ => -1,
            };
            if (unitMs < 0) return false;
            totalMs += number * unitMs;
            s = s[unitLength..];
        }
        value = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }
}
