namespace Agent.Exporters.Loki;

/// <summary>Reads Loki's 400 answer for a partly refused push: "... total ignored: N out of M ...", once per stream.</summary>
public static class LokiRejection
{
    private const string Marker = "total ignored: ";

    /// <summary>The number of entries Loki ignored, or null when the answer does not say.</summary>
    public static int? IgnoredCount(string body)
    {
        int? total = null;
        var at = body.IndexOf(Marker, StringComparison.Ordinal);
        while (at >= 0)
        {
            var start = at + Marker.Length;
            var end = start;
            while (end < body.Length && char.IsAsciiDigit(body[end])) end++;
            if (end > start && int.TryParse(body.AsSpan(start, end - start), out var n)) total = (total ?? 0) + n;
            at = body.IndexOf(Marker, end, StringComparison.Ordinal);
        }
        return total;
    }
}
