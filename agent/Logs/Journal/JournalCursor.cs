using System.Buffers.Text;
using System.Text;

namespace Agent.Logs.Journal;

/// <summary>
/// A journal cursor held compactly: sd_journal_get_cursor writes
/// <c>s=SEQNUM_ID;i=SEQNUM;b=BOOT_ID;m=MONOTONIC;t=REALTIME;x=XOR_HASH</c> (hex), and every entry
/// waiting for Loki's acknowledgement keeps one, so the two 128-bit ids are shared strings
/// (the same for every entry of a journal file and boot) and the rest are four numbers: no
/// allocation per entry, and the string is built only when a position is saved. A cursor of
/// another shape (a future systemd) is kept verbatim: the library, not this type, knows what
/// a cursor means.
/// </summary>
internal readonly struct JournalCursor
{
    private readonly string? _seqnumId;
    private readonly string? _bootId;
    private readonly ulong _seqnum, _monotonic, _realtime, _xor;
    private readonly string? _verbatim;

    private JournalCursor(string seqnumId, ulong seqnum, string bootId, ulong monotonic, ulong realtime, ulong xor)
    {
        _seqnumId = seqnumId;
        _seqnum = seqnum;
        _bootId = bootId;
        _monotonic = monotonic;
        _realtime = realtime;
        _xor = xor;
    }

    private JournalCursor(string verbatim) => _verbatim = verbatim;

    public bool IsEmpty => _seqnumId is null && _verbatim is null;

    /// <summary>The entry's wall-clock time (µs since the epoch), when the cursor has the usual shape.</summary>
    public ulong? RealtimeUsec => _seqnumId is null ? null : _realtime;

    /// <summary>
    /// Reads a cursor as libsystemd wrote it; ids equal to <paramref name="previous"/>'s reuse its
    /// strings. Never fails: what does not have the usual shape is kept as text.
    /// </summary>
    public static JournalCursor Parse(ReadOnlySpan<byte> text, in JournalCursor previous)
    {
        if (text.IsEmpty) return default;
        if (TryFields(text, out var seqnumId, out var seqnum, out var bootId, out var monotonic, out var realtime, out var xor))
        {
            return new JournalCursor(Shared(seqnumId, previous._seqnumId), seqnum, Shared(bootId, previous._bootId), monotonic, realtime, xor);
        }
        return new JournalCursor(Encoding.UTF8.GetString(text));
    }

    public static JournalCursor Parse(string text)
    {
        Span<byte> bytes = stackalloc byte[Math.Min(Encoding.UTF8.GetMaxByteCount(text.Length), 1024)];
        return Encoding.UTF8.TryGetBytes(text, bytes, out var written) ? Parse(bytes[..written], default) : new JournalCursor(text);
    }

    /// <summary>The cursor as libsystemd wrote it (lower-case hex without leading zeros, as its printf does).</summary>
    public override string ToString()
    {
        if (_verbatim is not null) return _verbatim;
        if (_seqnumId is null) return "";
        return $"s={_seqnumId};i={_seqnum:x};b={_bootId};m={_monotonic:x};t={_realtime:x};x={_xor:x}";
    }

    private static bool TryFields(ReadOnlySpan<byte> text, out ReadOnlySpan<byte> seqnumId, out ulong seqnum, out ReadOnlySpan<byte> bootId,
        out ulong monotonic, out ulong realtime, out ulong xor)
    {
        seqnum = monotonic = realtime = xor = 0;
        bootId = default;
        return Id(ref text, "s="u8, out seqnumId)
            && Number(ref text, "i="u8, out seqnum)
            && Id(ref text, "b="u8, out bootId)
            && Number(ref text, "m="u8, out monotonic)
            && Number(ref text, "t="u8, out realtime)
            && Number(ref text, "x="u8, out xor)
            && text.IsEmpty;
    }

    /// <summary>One <c>k=value</c> term and the ';' after it (none after the last).</summary>
    private static bool Term(scoped ref ReadOnlySpan<byte> text, ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!text.StartsWith(key)) return false;
        var rest = text[key.Length..];
        var end = rest.IndexOf((byte)';');
        value = end < 0 ? rest : rest[..end];
        text = end < 0 ? [] : rest[(end + 1)..];
        return value.Length > 0;
    }

    private static bool Id(scoped ref ReadOnlySpan<byte> text, ReadOnlySpan<byte> key, out ReadOnlySpan<byte> id)
    {
        if (!Term(ref text, key, out id) || id.Length != 32) return false;
        foreach (var b in id)
        {
            if (!char.IsAsciiHexDigitLower((char)b)) return false;
        }
        return true;
    }

    private static bool Number(scoped ref ReadOnlySpan<byte> text, ReadOnlySpan<byte> key, out ulong number)
    {
        number = 0;
        if (!Term(ref text, key, out var digits) || digits.Length > 16) return false;
        // Only the form printf("%lx") writes: a cursor that formats back differently is kept verbatim.
        if (digits.Length > 1 && digits[0] == (byte)'0') return false;
        foreach (var b in digits)
        {
            if (!char.IsAsciiHexDigitLower((char)b)) return false;
        }
        return Utf8Parser.TryParse(digits, out number, out var consumed, 'x') && consumed == digits.Length;
    }

    private static string Shared(ReadOnlySpan<byte> id, string? previous)
    {
        if (previous is not null && previous.Length == id.Length)
        {
            var same = true;
            for (var i = 0; i < id.Length && same; i++) same = previous[i] == id[i];
            if (same) return previous;
        }
        return Encoding.ASCII.GetString(id);
    }
}
