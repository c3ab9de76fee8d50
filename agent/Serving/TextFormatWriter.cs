using System.Buffers;
using System.Text;
using Agent.Pipeline;

namespace Agent.Serving;

/// <summary>
/// Prometheus text exposition format 0.0.4, written as UTF-8 straight into a buffer writer.
/// Extra labels (host, environment, [labels]) are merged into each series while writing, so a
/// scrape allocates no per-series label arrays.
/// </summary>
public static class TextFormatWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static void Write(IBufferWriter<byte> output, IReadOnlyList<MetricFamily> families, Label[] extraLabels)
    {
        foreach (var family in families)
        {
            if (family.Samples.Count == 0) continue;
            WriteAscii(output, "# HELP ");
            WriteText(output, family.Name);
            WriteAscii(output, " ");
            WriteEscaped(output, family.Help, escapeQuotes: false);
            WriteAscii(output, "\n# TYPE ");
            WriteText(output, family.Name);
            WriteAscii(output, family.Type switch
            {
                MetricType.Counter => " counter\n",
                MetricType.Gauge => " gauge\n",
                _ => " untyped\n",
            });
            foreach (var sample in family.Samples)
            {
                WriteText(output, family.Name);
                WriteLabels(output, sample.Labels, extraLabels);
                WriteAscii(output, " ");
                WriteValue(output, sample.Value);
                WriteAscii(output, "\n");
            }
        }
    }

    /// <summary>Merges two sorted label arrays on the fly; the sample's own label wins a name clash.</summary>
    private static void WriteLabels(IBufferWriter<byte> output, Label[] own, Label[] extra)
    {
        if (own.Length == 0 && extra.Length == 0) return;
        WriteAscii(output, "{");
        var first = true;
        foreach (var next in new MergedLabels(own, extra))
        {
            if (next.Value.Length == 0) continue;
            if (!first) WriteAscii(output, ",");
            first = false;
            WriteText(output, next.Name);
            WriteAscii(output, "=\"");
            WriteEscaped(output, next.Value, escapeQuotes: true);
            WriteAscii(output, "\"");
        }
        WriteAscii(output, "}");
    }

    private static void WriteValue(IBufferWriter<byte> output, double value)
    {
        if (double.IsNaN(value)) { WriteAscii(output, "NaN"); return; }
        if (double.IsPositiveInfinity(value)) { WriteAscii(output, "+Inf"); return; }
        if (double.IsNegativeInfinity(value)) { WriteAscii(output, "-Inf"); return; }
        var span = output.GetSpan(32);
        value.TryFormat(span, out var written, "R", System.Globalization.CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    private static void WriteEscaped(IBufferWriter<byte> output, string text, bool escapeQuotes)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            string? replacement = c switch
            {
                '\\' => "\\\\",
                '\n' => "\\n",
                '"' when escapeQuotes => "\\\"",
                _ => null,
            };
            if (replacement is null) continue;
            WriteText(output, text.AsSpan(start, i - start));
            WriteAscii(output, replacement);
            start = i + 1;
        }
        WriteText(output, text.AsSpan(start));
    }

    private static void WriteText(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return;
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private static void WriteAscii(IBufferWriter<byte> output, string ascii) => WriteText(output, ascii);
}
