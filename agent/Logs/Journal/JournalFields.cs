namespace Agent.Logs.Journal;

/// <summary>
/// The fields of one journal entry that the agent sends: MESSAGE (the line, binary-safe) and
/// those that become labels — _SYSTEMD_UNIT, SYSLOG_IDENTIFIER, _TRANSPORT and PRIORITY.
/// libsystemd hands each field as FIELD=VALUE bytes valid only until its next call, so the
/// values are copied into buffers reused from entry to entry. Everything else is skipped
/// after comparing its name.
/// </summary>
internal sealed class JournalFields
{
    private readonly Value _message = new(256);

    public JournalFields(int maxMessageBytes) => MaxMessageBytes = maxMessageBytes;

    /// <summary>Bytes of MESSAGE kept; what is longer is cut here and flagged <see cref="MessageCut"/>.</summary>
    public int MaxMessageBytes { get; }

    public bool HasMessage => _message.Present;
    public ReadOnlySpan<byte> Message => _message.Bytes;
    /// <summary>The MESSAGE was longer than <see cref="MaxMessageBytes"/> (or libsystemd's data threshold cut it).</summary>
    public bool MessageCut { get; private set; }
    public int MessageLength { get; private set; }

    public Value Unit { get; } = new(64);
    public Value Identifier { get; } = new(32);
    public Value Transport { get; } = new(16);

    /// <summary>PRIORITY 0–7, or -1 when the entry has none (or not a single digit 0–7).</summary>
    public int Priority { get; private set; } = -1;

    public void Clear()
    {
        _message.Clear();
        Unit.Clear();
        Identifier.Clear();
        Transport.Clear();
        Priority = -1;
        MessageCut = false;
        MessageLength = 0;
    }

    /// <summary>Takes one FIELD=VALUE if it is one the agent uses; a later duplicate of a field replaces the earlier.</summary>
    public void Take(ReadOnlySpan<byte> field)
    {
        var equals = field.IndexOf((byte)'=');
        if (equals <= 0) return;
        var name = field[..equals];
        var value = field[(equals + 1)..];
        if (name.SequenceEqual("MESSAGE"u8))
        {
            MessageLength = value.Length;
            MessageCut = value.Length > MaxMessageBytes;
            _message.Set(MessageCut ? value[..MaxMessageBytes] : value);
        }
        else if (name.SequenceEqual("PRIORITY"u8))
        {
            Priority = value.Length == 1 && value[0] is >= (byte)'0' and <= (byte)'7' ? value[0] - '0' : -1;
        }
        else if (name.SequenceEqual("_SYSTEMD_UNIT"u8)) Unit.Set(value);
        else if (name.SequenceEqual("SYSLOG_IDENTIFIER"u8)) Identifier.Set(value);
        else if (name.SequenceEqual("_TRANSPORT"u8)) Transport.Set(value);
    }

    /// <summary>
    /// syslog severities onto the values the file source's level extraction produces (Alloy names
    /// them emerg … debug; one vocabulary across sources lets one query cover them all).
    /// </summary>
    public static string Level(int priority) => priority switch
    {
        0 or 1 or 2 => "fatal",
        3 => "error",
        4 => "warn",
        5 or 6 => "info",
        7 => "debug",
        _ => Processing.LevelParser.Unknown,
    };

    /// <summary>A field value copied out of libsystemd's memory into a buffer kept for the next entry.</summary>
    public sealed class Value(int capacity)
    {
        private byte[] _buffer = new byte[capacity];
        private int _length;

        public bool Present { get; private set; }
        public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, _length);

        public void Set(ReadOnlySpan<byte> value)
        {
            if (value.Length > _buffer.Length) _buffer = new byte[Math.Max(value.Length, _buffer.Length * 2)];
            value.CopyTo(_buffer);
            _length = value.Length;
            Present = true;
        }

        public void Clear()
        {
            _length = 0;
            Present = false;
        }
    }
}
