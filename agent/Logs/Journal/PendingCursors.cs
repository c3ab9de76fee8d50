namespace Agent.Logs.Journal;

/// <summary>
/// The cursors of entries handed to the sink and not yet acknowledged, in the order read. The
/// position may move to an entry only when it and every entry before it are settled, so an
/// acknowledgement that arrives early (a push split and partly delivered first) waits for
/// those before it. A ring buffer of structs: no allocation per entry once it has grown to
/// what the pipeline holds.
/// </summary>
internal sealed class PendingCursors
{
    private readonly Lock _gate = new();
    private (JournalCursor Cursor, bool Settled)[] _ring = new (JournalCursor, bool)[1024];
    private int _head;
    private int _count;
    /// <summary>Sequence number of the entry at <see cref="_head"/>.</summary>
    private long _headSeq;
    private long _nextSeq;

    public int Count
    {
        get { lock (_gate) return _count; }
    }

    /// <summary>Records an entry about to be handed over; returns its sequence number (the ack offset).</summary>
    public long Add(in JournalCursor cursor)
    {
        lock (_gate)
        {
            if (_count == _ring.Length) Grow();
            _ring[(_head + _count) % _ring.Length] = (cursor, false);
            _count++;
            return _nextSeq++;
        }
    }

    /// <summary>
    /// Marks entry <paramref name="seq"/> settled; returns true with the cursor of the newest entry
    /// that now has no unsettled entry before it, when that moved.
    /// </summary>
    public bool Settle(long seq, out JournalCursor committed)
    {
        committed = default;
        lock (_gate)
        {
            var index = seq - _headSeq;
            if (index < 0 || index >= _count) return false;
            _ring[(_head + (int)index) % _ring.Length].Settled = true;
            var moved = false;
            while (_count > 0 && _ring[_head].Settled)
            {
                committed = _ring[_head].Cursor;
                _ring[_head] = default;
                _head = (_head + 1) % _ring.Length;
                _count--;
                _headSeq++;
                moved = true;
            }
            return moved;
        }
    }

    private void Grow()
    {
        var bigger = new (JournalCursor, bool)[_ring.Length * 2];
        for (var i = 0; i < _count; i++) bigger[i] = _ring[(_head + i) % _ring.Length];
        _ring = bigger;
        _head = 0;
    }
}
