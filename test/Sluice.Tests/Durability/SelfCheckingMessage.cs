using System.Security.Cryptography;
using System.Text;

namespace Sluice.Tests.Durability;

/// <summary>
/// A message that carries its own body length and SHA-256 in an <c>X-Check</c> header, so a message
/// found in the queue can be judged whole or partial without knowing what was sent. The same
/// (seed, round, index) always gives the same bytes, so a failing run can be replayed.
/// </summary>
internal static class SelfCheckingMessage
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ";

    /// <summary>The message as sent after DATA (before the terminating dot), with its tag in the Subject.</summary>
    public static byte[] Create(int seed, int round, int index, out string tag)
    {
        tag = $"s{seed}-r{round}-m{index}";
        // Not HashCode.Combine: it is seeded per process, and a printed seed must replay in another one.
        var random = new Random(unchecked((seed * 1_000_003) + (round * 10_007) + index));
        // Mostly small messages; one in twenty over the log store's 64 KiB spill threshold (staging file).
        var size = random.Next(20) == 0 ? random.Next(100_000, 300_000) : random.Next(200, 8_000);
        var body = new StringBuilder(size + 100);
        while (body.Length < size)
        {
            // Lines start with a letter: no dot-stuffing to undo, the body is stored as written.
            body.Append((char)('a' + random.Next(26)));
            var length = random.Next(0, 76);
            for (var i = 0; i < length; i++)
            {
                body.Append(Alphabet[random.Next(Alphabet.Length)]);
            }

            body.Append("\r\n");
        }

        var bodyBytes = Encoding.ASCII.GetBytes(body.ToString());
        var header = $"Subject: {tag}\r\nX-Check: {bodyBytes.Length} {Convert.ToHexStringLower(SHA256.HashData(bodyBytes))}\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(header), .. bodyBytes];
    }

    /// <summary>
    /// Whether <paramref name="stored"/> (added trace headers on top are fine) is a whole message of
    /// this kind: its body has the length and hash its header announces. <paramref name="tag"/> is its Subject.
    /// </summary>
    public static bool IsWhole(byte[] stored, out string tag)
    {
        tag = "";
        var text = Encoding.ASCII.GetString(stored);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        string? check = null;
        foreach (var line in text[..end].Split("\r\n"))
        {
            if (line.StartsWith("Subject: ", StringComparison.Ordinal))
            {
                tag = line["Subject: ".Length..];
            }
            else if (line.StartsWith("X-Check: ", StringComparison.Ordinal))
            {
                check = line["X-Check: ".Length..];
            }
        }

        if (check?.Split(' ') is not [var length, var hash])
        {
            return false;
        }

        var body = stored.AsSpan(end + 4);
        return body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) == length
            && Convert.ToHexStringLower(SHA256.HashData(body)) == hash;
    }
}
