using System.Buffers.Binary;

namespace Agent.Docker.Engine;

/// <summary>Which output a piece of a container's log came from.</summary>
public enum LogOutput
{
    Stdout,
    Stderr,
}

/// <summary>
/// A container's logs stream: for a container without a TTY the engine multiplexes stdout and
/// stderr into frames (1 byte stream, 3 zero bytes, 4 bytes big-endian length, then the
/// payload); with a TTY the stream is the raw output. Every read returns bytes of one frame
/// only, so a new frame (one log message, starting with its timestamp) always begins a read.
/// </summary>
public sealed class LogFrameReader(Stream stream, bool multiplexed) : IDisposable
{
    private readonly byte[] _header = new byte[8];
    private int _remaining;
    private LogOutput _output;

    /// <summary>Bytes read into <paramref name="buffer"/> and their output; 0 bytes at the end of the stream.</summary>
    public async ValueTask<(int Count, LogOutput Output)> ReadAsync(Memory<byte> buffer, CancellationToken ct)
    {
        if (!multiplexed) return (await stream.ReadAsync(buffer, ct), LogOutput.Stdout);
        while (_remaining == 0)
        {
            if (!await FillHeaderAsync(ct)) return (0, LogOutput.Stdout);
            // 0 stdin (echoed for attached TTYs), 1 stdout, 2 stderr, 3 the engine's own error text.
            _output = _header[0] == 2 ? LogOutput.Stderr : LogOutput.Stdout;
            _remaining = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4)), int.MaxValue);
        }
        var read = await stream.ReadAsync(buffer[..Math.Min(buffer.Length, _remaining)], ct);
        if (read == 0) throw new EndOfStreamException("the logs stream ended inside a frame");
        _remaining -= read;
        return (read, _output);
    }

    private async ValueTask<bool> FillHeaderAsync(CancellationToken ct)
    {
        var filled = 0;
        while (filled < _header.Length)
        {
            var read = await stream.ReadAsync(_header.AsMemory(filled), ct);
            if (read == 0)
            {
                if (filled == 0) return false;
                throw new EndOfStreamException("the logs stream ended inside a frame header");
            }
            filled += read;
        }
        return true;
    }

    public void Dispose() => stream.Dispose();
}
