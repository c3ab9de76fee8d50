using System.Runtime.InteropServices;
using System.Text;

namespace Agent.Collectors;

/// <summary>
/// Per-name state of a collector (a device's label arrays and paths, a mount's labels) that
/// lives only while the name is still there: what a cycle did not touch is dropped when it
/// ends, so veth devices and mounts that Docker creates and removes all day do not pile up.
/// Names arrive as bytes from /proc; lookup decodes them onto the stack, so a known name costs
/// no allocation.
/// </summary>
public sealed class SeenCache<T>
{
    private const int StackNameLimit = 256;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<string> _gone = [];
    private int _cycle;

    private struct Entry(T value)
    {
        public T Value = value;
        public int Seen;
    }

    public SeenCache() => _lookup = _entries.GetAlternateLookup<ReadOnlySpan<char>>();

    public int Count => _entries.Count;

    /// <summary>Starts a cycle: every name must be touched again (found or added) to survive <see cref="EndCycle"/>.</summary>
    public void BeginCycle() => _cycle++;

    public bool TryGet(ReadOnlySpan<char> name, out T value)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_lookup, name);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref entry))
        {
            value = default!;
            return false;
        }
        entry.Seen = _cycle;
        value = entry.Value;
        return true;
    }

    /// <summary>A UTF-8 name as read from a pseudo-file; names longer than the stack buffer take the slow path.</summary>
    public bool TryGet(ReadOnlySpan<byte> utf8Name, out T value)
    {
        if (utf8Name.Length > StackNameLimit) return TryGet(Encoding.UTF8.GetString(utf8Name), out value);
        Span<char> chars = stackalloc char[StackNameLimit];
        var length = Encoding.UTF8.GetChars(utf8Name, chars);
        return TryGet(chars[..length], out value);
    }

    public T Add(string name, T value)
    {
        _entries[name] = new Entry(value) { Seen = _cycle };
        return value;
    }

    /// <summary>Drops what this cycle did not touch. A cycle that failed part way should not call it.</summary>
    public void EndCycle()
    {
        if (_entries.Count == 0) return;
        foreach (var (name, entry) in _entries)
        {
            if (entry.Seen != _cycle) _gone.Add(name);
        }
        foreach (var name in _gone) _entries.Remove(name);
        _gone.Clear();
    }
}
