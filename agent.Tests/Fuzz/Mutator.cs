using System.Text;

namespace Agent.Tests.Fuzz;

/// <summary>
/// Byte-level mutations of a seed input, driven by one seeded Random so a run is repeatable:
/// bit flips, deleted, duplicated and inserted chunks, truncation, and "interesting" tokens
/// (huge and negative numbers, separators, NUL, invalid UTF-8) spliced in at random places.
/// </summary>
public sealed class Mutator(int seed)
{
    private static readonly byte[][] Tokens =
    [
        "99999999999999999999999"u8.ToArray(), "-1"u8.ToArray(), "-9223372036854775808"u8.ToArray(), "18446744073709551616"u8.ToArray(),
        "0x"u8.ToArray(), "1e308"u8.ToArray(), "NaN"u8.ToArray(), "\n"u8.ToArray(), "\r\n"u8.ToArray(), " "u8.ToArray(), "\t"u8.ToArray(),
        ":"u8.ToArray(), "="u8.ToArray(), "\""u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(),
        "\\"u8.ToArray(), "/"u8.ToArray(), ","u8.ToArray(), "("u8.ToArray(), ")"u8.ToArray(), [0], [0xff, 0xfe], [0xc3], [0xe2, 0x82],
    ];

    private readonly Random _random = new(seed);

    public byte[] Mutate(byte[] input)
    {
        var data = new List<byte>(input);
        var rounds = 1 + _random.Next(4);
        for (var r = 0; r < rounds; r++)
        {
            var at = data.Count == 0 ? 0 : _random.Next(data.Count);
            switch (_random.Next(7))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(16)));
                    break;
                case 2 when data.Count > 0:
                    var length = Math.Min(data.Count - at, 1 + _random.Next(64));
                    data.InsertRange(_random.Next(data.Count), data.GetRange(at, length));
                    break;
                case 3:
                    data.InsertRange(at, Tokens[_random.Next(Tokens.Length)]);
                    break;
                case 4 when data.Count > 0:
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 5:
                    var noise = new byte[1 + _random.Next(8)];
                    _random.NextBytes(noise);
                    data.InsertRange(at, noise);
                    break;
                default:
                    data.InsertRange(at, Encoding.ASCII.GetBytes(_random.Next().ToString()));
                    break;
            }
        }
        return [.. data];
    }
}
