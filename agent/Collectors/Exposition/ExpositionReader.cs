using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Agent.Collectors.Exposition;

/// <summary>
/// The one exposition parser (textfile *.prom files and scraped targets): a forward-only reader
/// over the bytes of a Prometheus text 0.0.4 or OpenMetrics 1.0 body that allocates nothing per
/// line. Each <see cref="Read"/> yields one sample or metadata line; a sample's
/// <see cref="Series"/> (name and label block as written) is its identity, so a scraper can keep
/// its parsed labels from one scrape to the next and decode them (<see cref="TryReadLabels"/>)
/// only when a series is new. The first malformed line stops the reader with an
/// <see cref="Error"/> naming the line: a body is accepted whole or not at all, as Prometheus does.
/// OpenMetrics specifics: the body must end with "# EOF", timestamps are seconds, exemplars
/// ("# {…} v") are skipped, and _created samples are ordinary series, as Prometheus 2 ingests them.
/// </summary>
public ref struct ExpositionReader
{
    private const int ExcerptBytes = 80;

    private readonly ReadOnlySpan<byte> _body;
    private readonly bool _openMetrics;
    private int _next;
    private bool _sawEof;

    public ExpositionReader(ReadOnlySpan<byte> body, ExpositionFormat format)
    {
        _body = body;
        _openMetrics = format == ExpositionFormat.OpenMetrics;
    }

    /// <summary>1-based number of the line just read.</summary>
    public int LineNumber { get; private set; }

    public ExpositionEntryKind Kind { get; private set; }

    /// <summary>The metric name of a sample, or the family name of a HELP/TYPE/UNIT line.</summary>
    public ReadOnlySpan<byte> Name { get; private set; }

    /// <summary>A sample's name and label block exactly as written: equal bytes, equal series.</summary>
    public ReadOnlySpan<byte> Series { get; private set; }

    /// <summary>What is between a sample's braces (empty without labels); see <see cref="TryReadLabels"/>.</summary>
    public ReadOnlySpan<byte> LabelText { get; private set; }

    /// <summary>HELP text (unescaped by <see cref="HelpText"/>), TYPE or UNIT word.</summary>
    public ReadOnlySpan<byte> Text { get; private set; }

    public double Value { get; private set; }

    public bool HasTimestamp { get; private set; }

    public long TimestampMs { get; private set; }

    /// <summary>"line N: problem (excerpt)" once <see cref="Read"/> returned false on bad input; null at a clean end.</summary>
    public string? Error { get; private set; }

    /// <summary>Moves to the next sample or metadata line; false at the end or at the first malformed line.</summary>
    public bool Read()
    {
        while (_next < _body.Length)
        {
            var start = _next;
            var newline = _body[start..].IndexOf((byte)'\n');
            var end = newline < 0 ? _body.Length : start + newline;
            _next = newline < 0 ? _body.Length : end + 1;
            LineNumber++;
            var line = _body[start..end];
            if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
            if (_sawEof) return Fail(line, "content after # EOF");
            if (line.IsEmpty)
            {
                if (_openMetrics) return Fail(line, "empty line (not allowed in OpenMetrics)");
                continue;
            }
            if (line[0] == '#')
            {
                if (ReadComment(line, out var entry)) return entry;
                continue;
            }
            return ReadSample(line);
        }
        if (_openMetrics && !_sawEof && Error is null)
        {
            LineNumber++;
            return Fail([], "missing # EOF at the end of an OpenMetrics body");
        }
        return false;
    }

    /// <summary>True when the line was metadata (then <paramref name="entry"/> is Read's answer); false for a plain comment.</summary>
    private bool ReadComment(ReadOnlySpan<byte> line, out bool entry)
    {
        entry = true;
        var rest = line[1..];
        if (rest.IsEmpty || !IsBlank(rest[0]))
        {
            if (!_openMetrics) return false;
            entry = Fail(line, "comment must be \"# HELP\", \"# TYPE\", \"# UNIT\" or \"# EOF\"");
            return true;
        }
        rest = rest.TrimStart(" \t"u8);
        var wordEnd = rest.IndexOfAny(" \t"u8);
        var word = wordEnd < 0 ? rest : rest[..wordEnd];
        var args = wordEnd < 0 ? [] : rest[(wordEnd + 1)..];
        ExpositionEntryKind kind;
        if (word.SequenceEqual("HELP"u8)) kind = ExpositionEntryKind.Help;
        else if (word.SequenceEqual("TYPE"u8)) kind = ExpositionEntryKind.Type;
        else if (_openMetrics && word.SequenceEqual("UNIT"u8)) kind = ExpositionEntryKind.Unit;
        else if (_openMetrics && word.SequenceEqual("EOF"u8) && args.IsEmpty && line.SequenceEqual("# EOF"u8))
        {
            _sawEof = true;
            return false;
        }
        else if (_openMetrics)
        {
            entry = Fail(line, "comment must be \"# HELP\", \"# TYPE\", \"# UNIT\" or \"# EOF\"");
            return true;
        }
        else
        {
            return false;
        }

        if (!_openMetrics) args = args.TrimStart(" \t"u8);
        var nameLength = MetricNameLength(args);
        if (nameLength == 0)
        {
            entry = Fail(line, $"{KindWord(kind)} without a valid metric name");
            return true;
        }
        Name = args[..nameLength];
        var text = args[nameLength..];
        if (!text.IsEmpty && !IsBlank(text[0]))
        {
            entry = Fail(line, $"invalid metric name in {KindWord(kind)}");
            return true;
        }
        text = text.IsEmpty ? text : text[1..];
        if (kind != ExpositionEntryKind.Help) text = text.Trim(" \t"u8);
        Kind = kind;
        Text = text;
        if (kind == ExpositionEntryKind.Help && !Utf8.IsValid(text))
        {
            entry = Fail(line, "HELP text is not valid UTF-8");
        }
        else if (kind == ExpositionEntryKind.Type && !IsType(text))
        {
            entry = Fail(line, $"unknown metric type \"{Encoding.UTF8.GetString(text)}\"");
        }
        return true;
    }

    private bool IsType(ReadOnlySpan<byte> type) =>
        type.SequenceEqual("counter"u8) || type.SequenceEqual("gauge"u8) || type.SequenceEqual("histogram"u8) || type.SequenceEqual("summary"u8)
        || (!_openMetrics && type.SequenceEqual("untyped"u8))
        || (_openMetrics && (type.SequenceEqual("unknown"u8) || type.SequenceEqual("gaugehistogram"u8)
            || type.SequenceEqual("stateset"u8) || type.SequenceEqual("info"u8)));

    private bool ReadSample(ReadOnlySpan<byte> line)
    {
        var i = 0;
        if (!_openMetrics)
        {
            while (i < line.Length && IsBlank(line[i])) i++;
        }
        var nameStart = i;
        var nameLength = MetricNameLength(line[i..]);
        if (nameLength == 0) return Fail(line, "invalid metric name");
        i += nameLength;
        Name = line.Slice(nameStart, nameLength);
        var seriesEnd = i;
        if (!_openMetrics)
        {
            while (i < line.Length && IsBlank(line[i])) i++;
        }
        LabelText = [];
        if (i < line.Length && line[i] == '{')
        {
            var close = LabelSetEnd(line, i + 1);
            if (close < 0) return Fail(line, "unterminated label set");
            LabelText = line[(i + 1)..close];
            seriesEnd = close + 1;
            i = close + 1;
        }
        else
        {
            i = seriesEnd;
        }
        Series = line[nameStart..seriesEnd];
        if (i >= line.Length || !IsBlank(line[i])) return Fail(line, i >= line.Length ? "missing value" : "invalid character after the metric name");
        while (i < line.Length && IsBlank(line[i])) i++;
        var token = Token(line, ref i);
        if (token.IsEmpty) return Fail(line, "missing value");
        if (!TryParseValue(token, out var value)) return Fail(line, $"invalid value \"{Encoding.UTF8.GetString(token)}\"");
        Value = value;
        HasTimestamp = false;
        TimestampMs = 0;
        while (i < line.Length && IsBlank(line[i])) i++;
        if (i < line.Length && line[i] != '#')
        {
            token = Token(line, ref i);
            if (!TryParseTimestamp(token, _openMetrics, out var timestampMs)) return Fail(line, $"invalid timestamp \"{Encoding.UTF8.GetString(token)}\"");
            HasTimestamp = true;
            TimestampMs = timestampMs;
            while (i < line.Length && IsBlank(line[i])) i++;
        }
        if (i < line.Length)
        {
            // Exemplars carry a trace id for one observation; remote-write 1.0 has no place for them.
            if (!_openMetrics || !line[i..].StartsWith("# {"u8)) return Fail(line, "unexpected text after the value");
        }
        Kind = ExpositionEntryKind.Sample;
        return true;
    }

    private static bool TryParseTimestamp(ReadOnlySpan<byte> token, bool openMetrics, out long timestampMs)
    {
        if (!openMetrics) return Utf8Parser.TryParse(token, out timestampMs, out var used) && used == token.Length;
        timestampMs = 0;
        if (!TryParseValue(token, out var seconds) || !double.IsFinite(seconds)) return false;
        timestampMs = (long)Math.Round(seconds * 1000);
        return true;
    }

    /// <summary>Go's strconv.ParseFloat as Prometheus uses it: decimal or exponent form, Inf/Infinity/NaN in any case with an optional sign.</summary>
    public static bool TryParseValue(ReadOnlySpan<byte> token, out double value)
    {
        var c = token[0];
        if (char.IsAsciiDigit((char)c) || ((c is (byte)'-' or (byte)'+' or (byte)'.') && token.Length > 1 && (char.IsAsciiDigit((char)token[1]) || token[1] == '.')))
        {
            return double.TryParse(token, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out value);
        }
        var sign = 1.0;
        var word = token;
        if (c is (byte)'-' or (byte)'+')
        {
            sign = c == '-' ? -1 : 1;
            word = token[1..];
        }
        if (Ascii.EqualsIgnoreCase(word, "inf"u8) || Ascii.EqualsIgnoreCase(word, "infinity"u8))
        {
            value = sign * double.PositiveInfinity;
            return true;
        }
        if (Ascii.EqualsIgnoreCase(word, "nan"u8))
        {
            value = double.NaN;
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>
    /// Decodes a label block (<see cref="LabelText"/>) into <paramref name="into"/>: valid names,
    /// quoted values unescaped (\\, \", \n), valid UTF-8, no name twice, values at most
    /// <paramref name="maxValueBytes"/> (0: any length). <paramref name="names"/> shares name
    /// and short value strings among series.
    /// </summary>
    public static bool TryReadLabels(ReadOnlySpan<byte> text, List<Pipeline.Label> into, int maxValueBytes, StringPool names, out string? error)
    {
        error = null;
        var start = into.Count;
        var i = 0;
        Span<byte> small = stackalloc byte[256];
        while (true)
        {
            while (i < text.Length && IsBlank(text[i])) i++;
            if (i >= text.Length) return true;
            var nameLength = LabelNameLength(text[i..]);
            if (nameLength == 0)
            {
                error = $"invalid label name at \"{Excerpt(text[i..])}\"";
                return false;
            }
            var nameBytes = text.Slice(i, nameLength);
            i += nameLength;
            while (i < text.Length && IsBlank(text[i])) i++;
            if (i >= text.Length || text[i] != '=')
            {
                error = $"label {Encoding.ASCII.GetString(nameBytes)}: expected =";
                return false;
            }
            i++;
            while (i < text.Length && IsBlank(text[i])) i++;
            if (i >= text.Length || text[i] != '"')
            {
                error = $"label {Encoding.ASCII.GetString(nameBytes)}: value must be quoted";
                return false;
            }
            i++;
            var valueStart = i;
            var escaped = false;
            while (i < text.Length && text[i] != '"')
            {
                if (text[i] == '\\')
                {
                    escaped = true;
                    i++;
                }
                i++;
            }
            if (i >= text.Length)
            {
                error = $"label {Encoding.ASCII.GetString(nameBytes)}: unterminated value";
                return false;
            }
            var raw = text[valueStart..i];
            i++;
            var name = names.Get(nameBytes);
            for (var k = start; k < into.Count; k++)
            {
                if (into[k].Name == name)
                {
                    error = $"duplicate label {name}";
                    return false;
                }
            }
            if (!Utf8.IsValid(raw))
            {
                error = $"label {name}: value is not valid UTF-8";
                return false;
            }
            scoped ReadOnlySpan<byte> valueBytes = raw;
            if (escaped)
            {
                var buffer = raw.Length <= small.Length ? small : new byte[raw.Length];
                valueBytes = buffer[..Unescape(raw, buffer)];
            }
            if (maxValueBytes > 0 && valueBytes.Length > maxValueBytes)
            {
                error = $"label {name}: value of {valueBytes.Length} bytes is over the limit of {maxValueBytes}";
                return false;
            }
            into.Add(new Pipeline.Label(name, names.GetUtf8(valueBytes)));
            while (i < text.Length && IsBlank(text[i])) i++;
            if (i < text.Length)
            {
                if (text[i] != ',')
                {
                    error = $"label {name}: expected , or }} after the value";
                    return false;
                }
                i++;
            }
        }
    }

    /// <summary>HELP text with its escapes (\\ and \n) resolved.</summary>
    public readonly string HelpText()
    {
        var text = Text;
        if (text.IndexOf((byte)'\\') < 0) return Encoding.UTF8.GetString(text);
        var buffer = new byte[text.Length];
        return Encoding.UTF8.GetString(buffer, 0, Unescape(text, buffer));
    }

    private static int Unescape(ReadOnlySpan<byte> raw, Span<byte> into)
    {
        var n = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '\\' && i + 1 < raw.Length)
            {
                var next = raw[i + 1];
                switch (next)
                {
                    case (byte)'n': into[n++] = (byte)'\n'; i++; continue;
                    case (byte)'\\' or (byte)'"': into[n++] = next; i++; continue;
                }
            }
            into[n++] = c;
        }
        return n;
    }

    /// <summary>Index of the closing brace, skipping quoted values with their escapes; -1 when there is none.</summary>
    private static int LabelSetEnd(ReadOnlySpan<byte> line, int from)
    {
        var quoted = false;
        for (var j = from; j < line.Length; j++)
        {
            var c = line[j];
            if (quoted)
            {
                if (c == '\\') j++;
                else if (c == '"') quoted = false;
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == '}')
            {
                return j;
            }
        }
        return -1;
    }

    private static ReadOnlySpan<byte> Token(ReadOnlySpan<byte> line, ref int i)
    {
        var start = i;
        while (i < line.Length && !IsBlank(line[i])) i++;
        return line[start..i];
    }

    /// <summary>[a-zA-Z_:][a-zA-Z0-9_:]*</summary>
    public static int MetricNameLength(ReadOnlySpan<byte> s)
    {
        var n = 0;
        while (n < s.Length && (char.IsAsciiLetter((char)s[n]) || s[n] is (byte)'_' or (byte)':' || (n > 0 && char.IsAsciiDigit((char)s[n])))) n++;
        return n;
    }

    /// <summary>[a-zA-Z_][a-zA-Z0-9_]*</summary>
    public static int LabelNameLength(ReadOnlySpan<byte> s)
    {
        var n = 0;
        while (n < s.Length && (char.IsAsciiLetter((char)s[n]) || s[n] == '_' || (n > 0 && char.IsAsciiDigit((char)s[n])))) n++;
        return n;
    }

    private static bool IsBlank(byte c) => c is (byte)' ' or (byte)'\t';

    private static string KindWord(ExpositionEntryKind kind) => kind switch
    {
        ExpositionEntryKind.Help => "HELP",
        ExpositionEntryKind.Type => "TYPE",
        _ => "UNIT",
    };

    private bool Fail(ReadOnlySpan<byte> line, string problem)
    {
        Error = line.IsEmpty ? $"line {LineNumber}: {problem}" : $"line {LineNumber}: {problem} in \"{Excerpt(line)}\"";
        _next = _body.Length;
        _sawEof = true;
        return false;
    }

    /// <summary>The start of a line for an error message: printable, short, never a megabyte of label value.</summary>
    private static string Excerpt(ReadOnlySpan<byte> line)
    {
        var cut = line.Length > ExcerptBytes ? line[..ExcerptBytes] : line;
        var text = Encoding.UTF8.GetString(cut);
        var sb = new StringBuilder(text.Length + 4);
        foreach (var ch in text) sb.Append(char.IsControl(ch) ? '?' : ch);
        if (line.Length > ExcerptBytes) sb.Append('…');
        return sb.ToString();
    }
}
