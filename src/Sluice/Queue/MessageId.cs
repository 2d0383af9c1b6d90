using System.Security.Cryptography;

namespace Sluice.Queue;

/// <summary>
/// Message ids (SPEC §2.9): 1–64 characters of letters, digits, <c>-</c> and <c>_</c>.
/// </summary>
/// <remarks>
/// The built-in stores make 26-character ids in the style of a ULID: 10 characters of the
/// millisecond Unix time, then 16 characters (80 bits) from the cryptographic random generator, both
/// in Crockford's base 32 (<c>0-9A-Z</c> without <c>I L O U</c>). Ordinal order of the ids is the
/// order of their milliseconds. Two processes sharing one store would have to draw the same 80 random
/// bits in the same millisecond to collide; the <c>files</c> store also reserves each id with an
/// exclusive file create, so even that is caught.
/// </remarks>
public static class MessageId
{
    /// <summary>The longest valid id.</summary>
    public const int MaxLength = 64;

    /// <summary>The length of the ids made by <see cref="Create"/>.</summary>
    public const int GeneratedLength = 26;

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int TimeChars = 10;

    /// <summary>Whether <paramref name="id"/> is a valid message id (also safe as a file name).</summary>
    public static bool IsValid(ReadOnlySpan<char> id)
    {
        if (id.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    // Random bytes are drawn from the cryptographic generator for 16 ids at a time and kept per thread:
    // one call into OpenSSL (a lock and a getpid system call) per message was measurable under load.
    private const int RandomBatch = 16 * (GeneratedLength - TimeChars);

    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_randomUsed;

    /// <summary>A new id for a message received at <paramref name="now"/>.</summary>
    public static string Create(DateTimeOffset now)
    {
        var milliseconds = (ulong)Math.Clamp(now.ToUnixTimeMilliseconds(), 0L, (1L << 48) - 1);
        return string.Create(GeneratedLength, milliseconds, static (span, ms) =>
        {
            for (var i = TimeChars - 1; i >= 0; i--)
            {
                span[i] = Alphabet[(int)(ms & 31)];
                ms >>= 5;
            }

            var random = TakeRandom(GeneratedLength - TimeChars);
            for (var i = 0; i < random.Length; i++)
            {
                span[TimeChars + i] = Alphabet[random[i] & 31];
            }
        });
    }

    /// <summary><paramref name="count"/> fresh random bytes, valid until the thread's next call; never handed out twice.</summary>
    private static ReadOnlySpan<byte> TakeRandom(int count)
    {
        var batch = t_random;
        if (batch is null || t_randomUsed + count > batch.Length)
        {
            batch = t_random ??= new byte[RandomBatch];
            RandomNumberGenerator.Fill(batch);
            t_randomUsed = 0;
        }

        var taken = batch.AsSpan(t_randomUsed, count);
        t_randomUsed += count;
        return taken;
    }
}
