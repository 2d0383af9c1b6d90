using System.Globalization;
using System.Text;
using Sluice.Sieve.Compiler;
using Sluice.Sieve.Syntax;

namespace Sluice.Sieve.Extensions;

/// <summary>
/// encoded-character (RFC 5228 §2.4.2.4): "${hex:41 42}" and "${unicode:263A}" in string literals,
/// replaced at compile time in one pass (what they produce is not decoded again, but variables, which
/// come after, do see it: RFC 5229 §3's "dear${hex:20 24 7b 4e}ame}" example).
/// Malformed sequences stay as written; a code point outside Unicode is an error.
/// </summary>
internal sealed class EncodedCharacter : SieveExtension
{
    public override string Name => "encoded-character";

    public override void Register(ExtensionRegistry registry) => registry.SetTextTransform(Transform);

    private static string? Transform(BuildContext context, AstString literal)
    {
        string text = literal.Value;
        var plain = new StringBuilder();
        bool ok = true;
        int i = 0;
        while (i < text.Length)
        {
            int start = text.IndexOf("${", i, StringComparison.Ordinal);
            if (start < 0)
            {
                plain.Append(text, i, text.Length - i);
                break;
            }
            plain.Append(text, i, start - i);
            int close = text.IndexOf('}', start + 2);
            string? decoded = null;
            if (close >= 0)
            {
                decoded = Decode(context, literal, text.AsSpan(start + 2, close - start - 2), ref ok);
            }
            if (decoded is null)
            {
                // Not an encoded character: keep the "$" and go on scanning right after it.
                plain.Append('$');
                i = start + 1;
                continue;
            }
            plain.Append(decoded);
            i = close + 1;
        }
        return ok ? plain.ToString() : null;
    }

    /// <summary>The text of one "${...}" body, or null when it is not an encoded character.</summary>
    private static string? Decode(BuildContext context, AstString literal, ReadOnlySpan<char> body, ref bool ok)
    {
        int colon = body.IndexOf(':');
        if (colon < 0)
        {
            return null;
        }
        ReadOnlySpan<char> kind = body[..colon];
        bool hex = kind.Equals("hex", StringComparison.OrdinalIgnoreCase);
        if (!hex && !kind.Equals("unicode", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        List<string>? units = Split(body[(colon + 1)..], hex ? 2 : int.MaxValue);
        if (units is null || units.Count == 0)
        {
            return null;
        }
        if (hex)
        {
            byte[] bytes = units.Select(u => byte.Parse(u, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
            return Encoding.UTF8.GetString(bytes);
        }
        var sb = new StringBuilder();
        foreach (string unit in units)
        {
            string digits = unit.TrimStart('0');
            bool valid = digits.Length <= 6 && (digits.Length == 0 || int.TryParse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out _));
            int code = valid && digits.Length > 0 ? int.Parse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture) : 0;
            if (!valid || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            {
                context.Error(literal, $"invalid unicode character 0x{unit} in encoded character substitution");
                ok = false;
                continue;
            }
            sb.Append(char.ConvertFromUtf32(code));
        }
        return sb.ToString();
    }

    /// <summary>Blank-separated hex numbers of at most maxDigits digits each; null when malformed.</summary>
    private static List<string>? Split(ReadOnlySpan<char> s, int maxDigits)
    {
        var units = new List<string>();
        int i = 0;
        while (i < s.Length)
        {
            if (s[i] is ' ' or '\t')
            {
                i++;
                continue;
            }
            int start = i;
            while (i < s.Length && char.IsAsciiHexDigit(s[i]))
            {
                i++;
            }
            if (i == start || i - start > maxDigits || (i < s.Length && s[i] is not (' ' or '\t')))
            {
                return null;
            }
            units.Add(s[start..i].ToString());
        }
        return units;
    }
}
