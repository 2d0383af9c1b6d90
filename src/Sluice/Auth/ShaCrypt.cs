using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Auth;

/// <summary>
/// SHA-256-crypt (<c>$5$</c>) and SHA-512-crypt (<c>$6$</c>), the glibc crypt(3) schemes, written from
/// the published algorithm (no .NET package implements them). Checked against <c>openssl passwd -5/-6</c>.
/// </summary>
public static class ShaCrypt
{
    private const int DefaultRounds = 5000;
    private const int MinRounds = 1000;
    private const int MaxRounds = 999_999_999;
    private const int MaxSaltLength = 16;
    private const string Alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // The byte order in which each variant's digest is laid into groups of three for encoding.
    private static readonly int[] s_order256 =
        [0, 10, 20, 21, 1, 11, 12, 22, 2, 3, 13, 23, 24, 4, 14, 15, 25, 5, 6, 16, 26, 27, 7, 17, 18, 28, 8, 9, 19, 29];

    private static readonly int[] s_order512 =
    [
        0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4, 47, 5, 26, 6, 27, 48, 28, 49, 7, 50, 8, 29,
        9, 30, 51, 31, 52, 10, 53, 11, 32, 12, 33, 54, 34, 55, 13, 56, 14, 35, 15, 36, 57, 37, 58, 16,
        59, 17, 38, 18, 39, 60, 40, 61, 19, 62, 20, 41,
    ];

    /// <summary>True when <paramref name="hash"/> is a <c>$5$</c> or <c>$6$</c> string this class can check.</summary>
    public static bool IsShaCrypt(string hash) =>
        hash.StartsWith("$5$", StringComparison.Ordinal) || hash.StartsWith("$6$", StringComparison.Ordinal);

    /// <summary>Checks <paramref name="password"/> against a <c>$5$</c>/<c>$6$</c> hash in constant time.</summary>
    public static bool Verify(string password, string hash)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(hash);
        if (!TryParse(hash, out var sha512, out var rounds, out var roundsGiven, out var salt))
        {
            return false;
        }
        var computed = Compute(password, salt, sha512, rounds, roundsGiven);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(hash));
    }

    /// <summary>Hashes <paramref name="password"/> (for tests and tools that write secrets).</summary>
    public static string Hash(string password, string salt, bool sha512 = true, int? rounds = null) =>
        Compute(password, salt, sha512, rounds ?? DefaultRounds, rounds is not null);

    private static bool TryParse(string hash, out bool sha512, out int rounds, out bool roundsGiven, out string salt)
    {
        sha512 = hash[1] == '6';
        rounds = DefaultRounds;
        roundsGiven = false;
        salt = string.Empty;
        var rest = hash.AsSpan(3);
        if (rest.StartsWith("rounds="))
        {
            var end = rest.IndexOf('$');
            if (end < 0 || !int.TryParse(rest[7..end], NumberStyles.None, CultureInfo.InvariantCulture, out rounds))
            {
                return false;
            }
            roundsGiven = true;
            rest = rest[(end + 1)..];
        }
        var saltEnd = rest.IndexOf('$');
        if (saltEnd < 0)
        {
            return false;
        }
        salt = rest[..saltEnd].ToString();
        return true;
    }

    private static string Compute(string passwordText, string saltText, bool sha512, int rounds, bool roundsGiven)
    {
        rounds = Math.Clamp(rounds, MinRounds, MaxRounds);
        var password = Encoding.UTF8.GetBytes(passwordText);
        var salt = Encoding.UTF8.GetBytes(saltText.Length > MaxSaltLength ? saltText[..MaxSaltLength] : saltText);
        var algorithm = sha512 ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;
        var size = sha512 ? 64 : 32;

        // Digest B = H(password, salt, password).
        byte[] b;
        using (var h = IncrementalHash.CreateHash(algorithm))
        {
            h.AppendData(password);
            h.AppendData(salt);
            h.AppendData(password);
            b = h.GetHashAndReset();
        }

        // Digest A = H(password, salt, B stretched to the password's length, then B or password per bit of its length).
        byte[] a;
        using (var h = IncrementalHash.CreateHash(algorithm))
        {
            h.AppendData(password);
            h.AppendData(salt);
            int count;
            for (count = password.Length; count > size; count -= size)
            {
                h.AppendData(b);
            }
            h.AppendData(b, 0, count);
            for (count = password.Length; count > 0; count >>= 1)
            {
                h.AppendData((count & 1) != 0 ? b : password);
            }
            a = h.GetHashAndReset();
        }

        // P sequence: H(password repeated once per password byte), stretched to the password's length.
        var p = Stretch(algorithm, password, password.Length, password.Length);
        // S sequence: H(salt repeated 16 + A[0] times), stretched to the salt's length.
        var s = Stretch(algorithm, salt, 16 + a[0], salt.Length);

        var c = a;
        using (var h = IncrementalHash.CreateHash(algorithm))
        {
            for (var i = 0; i < rounds; i++)
            {
                h.AppendData((i & 1) != 0 ? p : c);
                if (i % 3 != 0)
                {
                    h.AppendData(s);
                }
                if (i % 7 != 0)
                {
                    h.AppendData(p);
                }
                h.AppendData((i & 1) != 0 ? c : p);
                c = h.GetHashAndReset();
            }
        }

        var text = new StringBuilder(sha512 ? "$6$" : "$5$");
        if (roundsGiven)
        {
            text.Append(CultureInfo.InvariantCulture, $"rounds={rounds}$");
        }
        text.Append(Encoding.UTF8.GetString(salt)).Append('$');
        var order = sha512 ? s_order512 : s_order256;
        for (var i = 0; i < order.Length; i += 3)
        {
            Encode(text, c[order[i]], c[order[i + 1]], c[order[i + 2]], 4);
        }
        if (sha512)
        {
            Encode(text, 0, 0, c[63], 2);
        }
        else
        {
            Encode(text, 0, c[31], c[30], 3);
        }
        return text.ToString();
    }

    private static byte[] Stretch(HashAlgorithmName algorithm, byte[] input, int repeats, int length)
    {
        byte[] digest;
        using (var h = IncrementalHash.CreateHash(algorithm))
        {
            for (var i = 0; i < repeats; i++)
            {
                h.AppendData(input);
            }
            digest = h.GetHashAndReset();
        }
        var result = new byte[length];
        for (var i = 0; i < length; i++)
        {
            result[i] = digest[i % digest.Length];
        }
        return result;
    }

    private static void Encode(StringBuilder text, byte b2, byte b1, byte b0, int chars)
    {
        var w = (b2 << 16) | (b1 << 8) | b0;
        for (var i = 0; i < chars; i++)
        {
            text.Append(Alphabet[w & 0x3f]);
            w >>= 6;
        }
    }
}
