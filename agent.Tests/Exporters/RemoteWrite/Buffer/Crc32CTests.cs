using System.Text;
using Agent.Exporters.RemoteWrite.Buffer;
using Xunit;

namespace Agent.Tests.Exporters.RemoteWrite.Buffer;

public sealed class Crc32CTests
{
    /// <summary>Check values from RFC 3720 (iSCSI) appendix B.4 and the CRC catalogue.</summary>
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("123456789", 0xE3069283u)]
    [InlineData("a", 0xC1D04330u)]
    public void Known_values(string text, uint expected) =>
        Assert.Equal(expected, Crc32C.Compute(Encoding.ASCII.GetBytes(text)));

    [Theory]
    [InlineData(0x00, 0x8A9136AAu)]
    [InlineData(0xFF, 0x62A8AB43u)]
    public void Rfc3720_32_bytes_of(byte fill, uint expected)
    {
        var data = new byte[32];
        Array.Fill(data, fill);
        Assert.Equal(expected, Crc32C.Compute(data));
    }

    [Fact]
    public void Rfc3720_ascending_bytes() =>
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));

    [Fact]
    public void Hardware_and_table_paths_agree_at_every_length()
    {
        var data = new byte[300];
        new Random(3).NextBytes(data);
        for (var length = 0; length <= data.Length; length++)
        {
            var span = data.AsSpan(0, length);
            Assert.Equal(~Crc32C.AppendPortable(~0u, span), Crc32C.Compute(span));
        }
    }

    [Fact]
    public void Appending_in_pieces_equals_computing_at_once()
    {
        var data = Encoding.ASCII.GetBytes("the quick brown fox jumps over the lazy dog");
        Assert.Equal(Crc32C.Compute(data), ~Crc32C.Append(Crc32C.Append(~0u, data.AsSpan(0, 13)), data.AsSpan(13)));
    }
}
