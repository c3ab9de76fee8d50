namespace Agent.Collectors.Host.Procfs;

/// <summary>Lines of a byte buffer without allocating; a last line without '\n' is still a line.</summary>
public ref struct LineEnumerator(ReadOnlySpan<byte> content)
{
    private ReadOnlySpan<byte> _rest = content;

    public ReadOnlySpan<byte> Current { get; private set; }

    public readonly LineEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_rest.IsEmpty) return false;
        var nl = _rest.IndexOf((byte)'\n');
        if (nl < 0)
        {
            Current = _rest;
            _rest = default;
        }
        else
        {
            Current = _rest[..nl];
            _rest = _rest[(nl + 1)..];
        }
        return true;
    }
}

/// <summary>Whitespace-separated fields of one line, like strings.Fields.</summary>
public ref struct FieldEnumerator(ReadOnlySpan<byte> line)
{
    private ReadOnlySpan<byte> _rest = line;

    public ReadOnlySpan<byte> Current { get; private set; }

    public bool MoveNext()
    {
        var start = 0;
        while (start < _rest.Length && IsSpace(_rest[start])) start++;
        if (start == _rest.Length)
        {
            _rest = default;
            return false;
        }
        var end = start;
        while (end < _rest.Length && !IsSpace(_rest[end])) end++;
        Current = _rest[start..end];
        _rest = _rest[end..];
        return true;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r';
}
