namespace Agent.Tests.Support;

/// <summary>A socket that hands out at most a few bytes per read, so frames arrive in pieces.</summary>
public sealed class TrickleStream(byte[] data, int readSize) : MemoryStream(data)
{
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        base.ReadAsync(buffer, offset, Math.Min(count, readSize), cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        base.ReadAsync(buffer[..Math.Min(buffer.Length, readSize)], cancellationToken);
}
