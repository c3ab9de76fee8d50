using System.Runtime.InteropServices;
using System.Text;

namespace Agent.Logs.Journal;

/// <summary>
/// One open sd_journal. libsystemd (v252 and earlier) allows an sd_journal on one thread for its
/// whole life, so whoever opens it keeps it on that thread. Failures are
/// <see cref="JournalException"/> with the call and the errno in words.
/// </summary>
internal sealed unsafe class JournalHandle : IDisposable
{
    /// <summary>SD_JOURNAL_LOCAL_ONLY: this machine's journal (system and users' files), not other machines' merged in.</summary>
    private const int LocalOnly = 1;

    private readonly LibSystemd _lib;
    private nint _journal;

    private JournalHandle(LibSystemd lib, nint journal)
    {
        _lib = lib;
        _journal = journal;
    }

    /// <param name="directory">A directory of journal files; empty for the system journal (/var/log/journal and /run/log/journal).</param>
    public static JournalHandle Open(LibSystemd lib, string directory)
    {
        nint journal;
        int result;
        if (directory.Length == 0)
        {
            result = lib.Open(&journal, LocalOnly);
        }
        else
        {
            var path = Terminated(directory);
            fixed (byte* p = path) result = lib.OpenDirectory(&journal, p, 0);
        }
        Check(result, directory.Length == 0 ? "opening the system journal" : $"opening journal directory {directory}");
        return new JournalHandle(lib, journal);
    }

    /// <summary>A FIELD=VALUE term; terms of one field are ORed, of different fields ANDed.</summary>
    public void AddMatch(string term)
    {
        var bytes = Encoding.UTF8.GetBytes(term);
        fixed (byte* p = bytes) Check(_lib.AddMatch(_journal, p, (nuint)bytes.Length), $"adding match {term}");
    }

    /// <summary>"+": the terms before and after are alternatives.</summary>
    public void AddDisjunction() => Check(_lib.AddDisjunction(_journal), "adding a match disjunction");

    /// <summary>Fields larger than this are returned cut (and decompressed only that far).</summary>
    public void SetDataThreshold(int bytes) => Check(_lib.SetDataThreshold(_journal, (nuint)bytes), "setting the data threshold");

    public bool Next() => Check(_lib.Next(_journal), "reading the next entry") > 0;

    public bool Previous() => Check(_lib.Previous(_journal), "reading the previous entry") > 0;

    public void SeekTail() => Check(_lib.SeekTail(_journal), "seeking to the end");

    public void SeekRealtime(ulong usec) => Check(_lib.SeekRealtime(_journal, usec), "seeking to a time");

    /// <summary>False when libsystemd refuses the cursor (not a cursor at all).</summary>
    public bool SeekCursor(string cursor)
    {
        var text = Terminated(cursor);
        fixed (byte* p = text) return _lib.SeekCursor(_journal, p) >= 0;
    }

    /// <summary>Whether the current entry is the one <paramref name="cursor"/> names.</summary>
    public bool IsAt(string cursor)
    {
        var text = Terminated(cursor);
        fixed (byte* p = text) return _lib.TestCursor(_journal, p) > 0;
    }

    /// <summary>The current entry's cursor; ids equal to <paramref name="previous"/>'s share its strings.</summary>
    public JournalCursor Cursor(in JournalCursor previous)
    {
        byte* text = null;
        Check(_lib.GetCursor(_journal, &text), "reading the cursor");
        try
        {
            return JournalCursor.Parse(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(text), previous);
        }
        finally
        {
            // Allocated by libsystemd with malloc; NativeMemory.Free is the C runtime's free on Unix.
            NativeMemory.Free(text);
        }
    }

    /// <summary>The current entry's wall-clock time, µs since the epoch.</summary>
    public ulong Realtime()
    {
        ulong usec;
        Check(_lib.GetRealtime(_journal, &usec), "reading the entry's time");
        return usec;
    }

    public void RestartFields() => _lib.RestartData(_journal);

    /// <summary>
    /// The current entry's next FIELD=VALUE (binary-safe: VALUE may hold any byte). The span
    /// points into libsystemd's memory and is valid until the next call on this handle.
    /// </summary>
    public bool NextField(out ReadOnlySpan<byte> field)
    {
        void* data;
        nuint length;
        var result = Check(_lib.EnumerateData(_journal, &data, &length), "reading the entry's fields");
        field = result > 0 ? new ReadOnlySpan<byte>(data, checked((int)length)) : default;
        return result > 0;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the journal to change (new entries, new or removed files).</summary>
    public void Wait(TimeSpan timeout) => Check(_lib.Wait(_journal, (ulong)(timeout.Ticks / 10)), "waiting for new entries");

    /// <summary>Bytes of journal files open (those this user may read).</summary>
    public ulong Usage()
    {
        ulong bytes;
        Check(_lib.GetUsage(_journal, &bytes), "reading the journal's size");
        return bytes;
    }

    private static int Check(int result, string what) =>
        result >= 0 ? result : throw new JournalException($"{what}: {LibSystemd.ErrnoText(result)}");

    private static byte[] Terminated(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    public void Dispose()
    {
        if (_journal == 0) return;
        _lib.Close(_journal);
        _journal = 0;
    }
}

/// <summary>A libsystemd call failed: the message names the call and the errno in words.</summary>
internal sealed class JournalException(string message) : Exception(message);
