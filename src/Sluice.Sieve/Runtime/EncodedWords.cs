using System.Globalization;
using System.Text;

namespace Sluice.Sieve.Runtime;

/// <summary>Decodes RFC 2047 encoded words in header values (=?charset?B|Q?text?=).</summary>
internal static class EncodedWords
{
    public static string Decode(string value)
    {
        if (!value.Contains("=?", StringComparison.Ordinal))
        {
            return value;
        }
        var sb = new StringBuilder();
        int i = 0;
        int lastWordEnd = -1;
        while (i < value.Length)
        {
            int start = value.IndexOf("=?", i, StringComparison.Ordinal);
            if (start < 0)
            {
                sb.Append(value, i, value.Length - i);
                break;
            }
            string? decoded = TryWord(value, start, out int end);
            if (decoded is null)
            {
                sb.Append(value, i, start + 2 - i);
                i = start + 2;
                continue;
            }
            string between = value[i..start];
            // Whitespace between two adjacent encoded words is not part of the text (RFC 2047 §6.2).
            if (!(lastWordEnd == i && string.IsNullOrWhiteSpace(between)))
            {
                sb.Append(between);
            }
            sb.Append(decoded);
            i = end;
            lastWordEnd = end;
        }
        return sb.ToString();
    }

    private static string? TryWord(string s, int start, out int end)
    {
        end = start;
        int q1 = s.IndexOf('?', start + 2);
        if (q1 < 0 || q1 + 2 >= s.Length || s[q1 + 2] != '?')
        {
            return null;
        }
        int close = s.IndexOf("?=", q1 + 3, StringComparison.Ordinal);
        if (close < 0)
        {
            return null;
        }
        string charset = s[(start + 2)..q1];
        int star = charset.IndexOf('*', StringComparison.Ordinal);
        if (star >= 0)
        {
            charset = charset[..star]; // RFC 2231 language suffix
        }
        char encoding = char.ToUpperInvariant(s[q1 + 1]);
        string text = s[(q1 + 3)..close];
        if (text.Contains(' ', StringComparison.Ordinal))
        {
            return null;
        }
        byte[]? bytes = encoding switch
        {
            'B' => FromBase64(text),
            'Q' => FromQ(text),
            _ => null,
        };
        if (bytes is null)
        {
            return null;
        }
        Encoding? enc = GetEncoding(charset);
        if (enc is null)
        {
            return null;
        }
        end = close + 2;
        return enc.GetString(bytes);
    }

    private static Encoding? GetEncoding(string charset)
    {
        try
        {
            return charset.ToUpperInvariant() switch
            {
                "UTF-8" or "UTF8" => Encoding.UTF8,
                "US-ASCII" or "ASCII" => Encoding.Latin1,
                "ISO-8859-1" or "LATIN1" => Encoding.Latin1,
                _ => Encoding.GetEncoding(charset),
            };
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    private static byte[]? FromBase64(string text)
    {
        try
        {
            int pad = (4 - text.Length % 4) % 4;
            return Convert.FromBase64String(text + new string('=', pad));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static byte[] FromQ(string text)
    {
        var bytes = new List<byte>(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '_')
            {
                bytes.Add((byte)' ');
            }
            else if (c == '=' && i + 2 < text.Length &&
                     byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.Add((byte)c);
            }
        }
        return [.. bytes];
    }
}
