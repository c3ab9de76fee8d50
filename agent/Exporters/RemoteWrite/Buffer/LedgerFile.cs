using Microsoft.Win32.SafeHandles;

namespace Agent.Exporters.RemoteWrite.Buffer;

/// <summary>
/// The ledger's file, open for the buffer's life: two equal slots written in turn, so the one not
/// being written always holds the previous save intact. It is not fsynced (the segments are): a
/// ledger lost with the page cache in a power cut only means records are sent again
/// (at-least-once), never that data is lost.
/// </summary>
public sealed class LedgerFile : IDisposable
{
    private const int MinSlot = 4096;
    private readonly string _dir;
    private SafeFileHandle? _handle;
    private byte[] _slot = [];
    private long _generation;

    public LedgerFile(string dir, long lastGeneration)
    {
        _dir = dir;
        _generation = lastGeneration;
    }

    public void Save(long mark, IReadOnlyCollection<long> settled)
    {
        var ledger = new Ledger(++_generation, mark, settled);
        if (_handle is null || ledger.EncodedSize > _slot.Length)
        {
            Recreate(ledger);
            return;
        }
        Array.Clear(_slot);
        ledger.Encode(_slot);
        RandomAccess.Write(_handle, _slot, Offset(_slot.Length));
    }

    private long Offset(int slotSize) => (_generation & 1) * slotSize;

    /// <summary>
    /// A new file with slots big enough, renamed into place: only at the first save and when the
    /// settled set outgrows a slot, the one time a save is not a single write.
    /// </summary>
    private void Recreate(Ledger ledger)
    {
        var slot = MinSlot;
        while (slot < ledger.EncodedSize) slot *= 2;
        _handle?.Dispose();
        _handle = null;
        _slot = new byte[slot];
        // The other slot stays zero: an older generation must not outlive the rename.
        var whole = new byte[2 * slot];
        ledger.Encode(whole.AsSpan((int)Offset(slot), slot));
        var path = Path.Combine(_dir, Ledger.FileName);
        var tmp = path + ".tmp";
        using (var fresh = File.OpenHandle(tmp, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(fresh, whole, 0);
        }
        File.Move(tmp, path, overwrite: true);
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
    }

    public void Dispose() => _handle?.Dispose();
}
