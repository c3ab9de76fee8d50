using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Agent.Serving.Web;

/// <summary>
/// bcrypt (Provos and Mazières, 1999) as OpenBSD, Go's x/crypto/bcrypt and htpasswd -B write it:
/// "$2y$10$" + 22 characters of salt + 31 of hash. Our own ~150 lines rather than a package:
/// exporter-toolkit's basic_auth_users need verification only, and this adds no dependency to
/// the single binary. Versions 2a, 2b and 2y hash alike for passwords up to 72 bytes, the most
/// bcrypt ever reads.
/// </summary>
public static class Bcrypt
{
    private const string Alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int SaltBytes = 16, HashBytes = 23, SaltChars = 22, HashChars = 31;
    private const int MinCost = 4, MaxCost = 31;

    /// <summary>"OrpheanBeholderScryDoubt", the text bcrypt encrypts 64 times.</summary>
    private static readonly uint[] MagicText = [0x4f727068, 0x65616e42, 0x65686f6c, 0x64657253, 0x63727944, 0x6f756274];

    /// <summary>Whether <paramref name="hash"/> is a bcrypt hash we can verify; else why not.</summary>
    public static bool TryParse(string hash, out int cost, out string? problem)
    {
        cost = 0;
        problem = null;
        if (hash.Length != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$')
        {
            problem = "is not a bcrypt hash ($2y$10$ followed by 53 characters, as htpasswd -nBC 10 USER prints it)";
            return false;
        }
        if (hash[2] is not ('a' or 'b' or 'y'))
        {
            problem = $"bcrypt version 2{hash[2]} is not supported (2a, 2b and 2y are)";
            return false;
        }
        if (!char.IsAsciiDigit(hash[4]) || !char.IsAsciiDigit(hash[5]) || (cost = (hash[4] - '0') * 10 + hash[5] - '0') is < MinCost or > MaxCost)
        {
            problem = $"bcrypt cost must be {MinCost} to {MaxCost}";
            return false;
        }
        for (var i = 7; i < hash.Length; i++)
        {
            if (Alphabet.IndexOf(hash[i]) < 0)
            {
                problem = $"'{hash[i]}' is not a bcrypt base64 character";
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether <paramref name="password"/> hashes to <paramref name="hash"/>; false for anything that is not a valid hash.</summary>
    public static bool Verify(string password, string hash)
    {
        if (!TryParse(hash, out var cost, out _)) return false;
        var salt = Decode(hash.AsSpan(7, SaltChars), SaltBytes);
        var computed = Encode(Compute(password, salt, cost));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(hash[(7 + SaltChars)..]));
    }

    /// <summary>A new hash (version 2y, the one htpasswd writes) of <paramref name="password"/> with the given 16-byte salt.</summary>
    public static string Hash(string password, ReadOnlySpan<byte> salt, int cost)
    {
        if (salt.Length != SaltBytes) throw new ArgumentException("bcrypt takes a 16-byte salt", nameof(salt));
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, MinCost);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cost, MaxCost);
        return $"$2y${cost:00}${Encode(salt)}{Encode(Compute(password, salt.ToArray(), cost))}";
    }

    private static byte[] Compute(string password, byte[] salt, int cost)
    {
        // The key is the password's bytes with its terminating NUL, at most 72 bytes.
        var utf8 = Encoding.UTF8.GetBytes(password);
        var key = new byte[Math.Min(utf8.Length + 1, 72)];
        utf8.AsSpan(0, Math.Min(utf8.Length, 72)).CopyTo(key);

        var p = (uint[])BlowfishTables.P.Clone();
        var s = (uint[])BlowfishTables.S.Clone();
        ExpandKey(p, s, key, salt);
        var rounds = 1L << cost;
        for (long i = 0; i < rounds; i++)
        {
            ExpandKey(p, s, key, null);
            ExpandKey(p, s, salt, null);
        }

        var text = (uint[])MagicText.Clone();
        for (var i = 0; i < 64; i++)
        {
            for (var j = 0; j < text.Length; j += 2) Encipher(p, s, ref text[j], ref text[j + 1]);
        }
        var output = new byte[text.Length * 4];
        for (var i = 0; i < text.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(i * 4), text[i]);
        return output[..HashBytes];
    }

    /// <summary>Blowfish's key schedule, with bcrypt's salt mixed into each encryption when given ("ExpandKey(state, salt, key)").</summary>
    private static void ExpandKey(uint[] p, uint[] s, byte[] key, byte[]? salt)
    {
        var keyAt = 0;
        for (var i = 0; i < p.Length; i++) p[i] ^= NextWord(key, ref keyAt);
        uint left = 0, right = 0;
        var saltAt = 0;
        for (var i = 0; i < p.Length; i += 2)
        {
            if (salt is not null)
            {
                left ^= NextWord(salt, ref saltAt);
                right ^= NextWord(salt, ref saltAt);
            }
            Encipher(p, s, ref left, ref right);
            p[i] = left;
            p[i + 1] = right;
        }
        for (var i = 0; i < s.Length; i += 2)
        {
            if (salt is not null)
            {
                left ^= NextWord(salt, ref saltAt);
                right ^= NextWord(salt, ref saltAt);
            }
            Encipher(p, s, ref left, ref right);
            s[i] = left;
            s[i + 1] = right;
        }
    }

    /// <summary>Four bytes of <paramref name="data"/> big-endian, wrapping around at its end.</summary>
    private static uint NextWord(byte[] data, ref int at)
    {
        uint word = 0;
        for (var i = 0; i < 4; i++)
        {
            word = (word << 8) | data[at];
            at = (at + 1) % data.Length;
        }
        return word;
    }

    private static void Encipher(uint[] p, uint[] s, ref uint left, ref uint right)
    {
        var l = left ^ p[0];
        var r = right;
        for (var i = 1; i <= 16; i += 2)
        {
            r ^= F(s, l) ^ p[i];
            l ^= F(s, r) ^ p[i + 1];
        }
        left = r ^ p[17];
        right = l;
    }

    private static uint F(uint[] s, uint x) =>
        ((s[x >> 24] + s[0x100 | ((x >> 16) & 0xff)]) ^ s[0x200 | ((x >> 8) & 0xff)]) + s[0x300 | (x & 0xff)];

    /// <summary>bcrypt's base64: its own alphabet, no padding.</summary>
    private static string Encode(ReadOnlySpan<byte> data)
    {
        var text = new StringBuilder((data.Length * 4 + 2) / 3);
        for (var i = 0; i < data.Length; i += 3)
        {
            var c1 = data[i];
            text.Append(Alphabet[c1 >> 2]);
            var bits = (c1 & 0x03) << 4;
            if (i + 1 >= data.Length)
            {
                text.Append(Alphabet[bits]);
                break;
            }
            var c2 = data[i + 1];
            text.Append(Alphabet[bits | (c2 >> 4)]);
            bits = (c2 & 0x0f) << 2;
            if (i + 2 >= data.Length)
            {
                text.Append(Alphabet[bits]);
                break;
            }
            var c3 = data[i + 2];
            text.Append(Alphabet[bits | (c3 >> 6)]);
            text.Append(Alphabet[c3 & 0x3f]);
        }
        return text.ToString();
    }

    private static byte[] Decode(ReadOnlySpan<char> text, int length)
    {
        var output = new byte[length];
        var filled = 0;
        var bits = 0;
        var count = 0;
        foreach (var c in text)
        {
            bits = (bits << 6) | Alphabet.IndexOf(c);
            count += 6;
            if (count < 8) continue;
            count -= 8;
            if (filled < length) output[filled++] = (byte)(bits >> count);
            bits &= (1 << count) - 1;
        }
        return output;
    }
}
