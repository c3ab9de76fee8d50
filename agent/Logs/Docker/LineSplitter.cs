using System.Buffers;

namespace Agent.Logs.Docker;

/// <summary>A complete line: at most the kept bytes, and whether more were cut off.</summary>
public delegate void LineHandler(ReadOnlySpan<byte> line, bool cut);

/// <summary>
/// Cuts one output stream (a container's stdout or stderr) into lines. What arrives is a
/// sequence of frames that may hold part of a line or several; a line's first bytes wait in a
/// reused buffer for its newline. A line longer than the kept size keeps only its start in
/// memory; the rest is skipped up to the newline and reported as cut.
/// </summary>
public sealed class LineSplitter(int keepBytes)
{
    private readonly ArrayBufferWriter<byte> _partial = new(256);
    private bool _cut;

    /// <summary>Bytes of an unfinished line held back.</summary>
    public int Pending => _partial.WrittenCount;

    /// <summary>The start of the unfinished line (up to the kept size).</summary>
    public ReadOnlySpan<byte> PendingBytes => _partial.WrittenSpan;

    /// <summary>Forgets the unfinished line.</summary>
    public void Discard()
    {
        _partial.ResetWrittenCount();
        _cut = false;
    }

    public void Feed(ReadOnlySpan<byte> data, LineHandler onLine)
    {
        while (!data.IsEmpty)
        {
            var nl = data.IndexOf((byte)'\n');
            var piece = nl < 0 ? data : data[..nl];
            if (nl >= 0 && _partial.WrittenCount == 0 && !_cut && piece.Length <= keepBytes)
            {
                // The common case, a whole line inside one frame: no copy.
                onLine(piece, false);
            }
            else
            {
                Append(piece);
                if (nl < 0) return;
                onLine(_partial.WrittenSpan, _cut);
                Discard();
            }
            data = data[(nl + 1)..];
        }
    }

    /// <summary>Hands over an unfinished line as it is (its stream ended).</summary>
    public void Flush(LineHandler onLine)
    {
        if (_partial.WrittenCount == 0 && !_cut) return;
        onLine(_partial.WrittenSpan, _cut);
        Discard();
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        var room = keepBytes - _partial.WrittenCount;
        if (bytes.Length > room) _cut = true;
        if (room > 0) _partial.Write(bytes.Length <= room ? bytes : bytes[..room]);
    }
}
