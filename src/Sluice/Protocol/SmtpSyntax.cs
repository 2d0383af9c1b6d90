using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;

namespace Sluice.Protocol;

/// <summary>RFC 5321 / RFC 6531 grammar pieces over bytes.</summary>
internal static class SmtpSyntax
{
    private const int MaxDomainLength = 255;
    private const int MaxLabelLength = 63;

    public static bool IsAlpha(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    public static bool IsAlphaDigit(byte b) => IsAlpha(b) || IsDigit(b);

    /// <summary>RFC 5322 atext, extended with every non-ASCII octet (RFC 6531; UTF-8 validity is checked once for the whole path).</summary>
    public static bool IsAtext(byte b) =>
        b >= 0x80 || IsAlphaDigit(b) || b is (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\''
            or (byte)'*' or (byte)'+' or (byte)'-' or (byte)'/' or (byte)'=' or (byte)'?' or (byte)'^' or (byte)'_'
            or (byte)'`' or (byte)'{' or (byte)'|' or (byte)'}' or (byte)'~';

    /// <summary>Parses 1..<paramref name="maxDigits"/> ASCII digits, the whole span.</summary>
    public static bool TryParseDigits(ReadOnlySpan<byte> digits, int maxDigits, out long value)
    {
        value = 0;
        if (digits.IsEmpty || digits.Length > maxDigits)
        {
            return false;
        }

        foreach (byte b in digits)
        {
            if (!IsDigit(b))
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }

    /// <summary>
    /// Parses a Reverse-path (MAIL) or Forward-path (RCPT) that starts at <paramref name="span"/>[0].
    /// Returns the number of octets consumed (through the closing <c>&gt;</c>), or -1 when the path is
    /// not valid.
    /// </summary>
    public static int ParsePath(ReadOnlySpan<byte> span, bool isReversePath, out SmtpPath path)
    {
        path = default;
        if (span.IsEmpty || span[0] != (byte)'<')
        {
            return -1;
        }

        int pos = 1;
        if (pos < span.Length && span[pos] == (byte)'>')
        {
            if (!isReversePath)
            {
                return -1;
            }

            path = SmtpPath.Null;
            return 2;
        }

        // A-d-l ":" — a source route, accepted and ignored (RFC 5321 4.1.2, C.).
        if (pos < span.Length && span[pos] == (byte)'@')
        {
            while (true)
            {
                pos++; // '@'
                int len = DomainLength(span[pos..]);
                if (len <= 0)
                {
                    return -1;
                }

                pos += len;
                if (pos < span.Length && span[pos] == (byte)',' && pos + 1 < span.Length && span[pos + 1] == (byte)'@')
                {
                    pos++;
                    continue;
                }

                if (pos < span.Length && span[pos] == (byte)':')
                {
                    pos++;
                    break;
                }

                return -1;
            }
        }

        int mailboxStart = pos;
        bool quoted = false;
        if (pos < span.Length && span[pos] == (byte)'"')
        {
            quoted = true;
            int len = QuotedStringLength(span[pos..]);
            if (len < 0)
            {
                return -1;
            }

            pos += len;
        }
        else
        {
            int len = DotStringLength(span[pos..]);
            if (len <= 0)
            {
                return -1;
            }

            pos += len;
        }

        int localLength = pos - mailboxStart;
        if (pos >= span.Length)
        {
            return -1;
        }

        if (span[pos] == (byte)'>')
        {
            // Only <postmaster> may come without a domain (RFC 5321 4.1.1.3), and only in RCPT.
            var local = span[mailboxStart..pos];
            if (isReversePath || quoted || !Ascii.EqualsIgnoreCase(local, "postmaster"u8))
            {
                return -1;
            }

            path = new SmtpPath(Encoding.ASCII.GetString(local), -1, isNull: false, isPostmaster: true, hasNonAscii: false);
            return pos + 1;
        }

        if (span[pos] != (byte)'@')
        {
            return -1;
        }

        pos++;
        int domainLength = span[pos..].Length > 0 && span[pos] == (byte)'['
            ? AddressLiteralLength(span[pos..])
            : DomainLength(span[pos..]);
        if (domainLength <= 0)
        {
            return -1;
        }

        pos += domainLength;
        if (pos >= span.Length || span[pos] != (byte)'>')
        {
            return -1;
        }

        var mailbox = span[mailboxStart..pos];
        bool nonAscii = !Ascii.IsValid(mailbox);
        if (nonAscii && !IsHeaderSafeUtf8(mailbox))
        {
            return -1;
        }

        path = new SmtpPath(Encoding.UTF8.GetString(mailbox), LastAtIndex(mailbox, localLength, nonAscii), isNull: false, isPostmaster: false, hasNonAscii: nonAscii);
        return pos + 1;
    }

    /// <summary>
    /// Valid UTF-8 without C1 controls (U+0080–U+009F, NEL among them) or the Unicode line and
    /// paragraph separators. Names and addresses are copied into stored header fields; a consumer that
    /// splits lines on Unicode separators would otherwise see a header break the client put there.
    /// </summary>
    public static bool IsHeaderSafeUtf8(ReadOnlySpan<byte> utf8)
    {
        while (!utf8.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(utf8, out var rune, out int consumed) != System.Buffers.OperationStatus.Done
                || rune.Value is >= 0x80 and <= 0x9F or 0x2028 or 0x2029)
            {
                return false;
            }

            utf8 = utf8[consumed..];
        }

        return true;
    }

    /// <summary>The char index of the '@' separating local part and domain in the decoded string.</summary>
    private static int LastAtIndex(ReadOnlySpan<byte> mailbox, int localLength, bool nonAscii) =>
        nonAscii ? Encoding.UTF8.GetCharCount(mailbox[..localLength]) : localLength;

    /// <summary>Length of a Dot-string at the start of the span (0 when none).</summary>
    private static int DotStringLength(ReadOnlySpan<byte> span)
    {
        int pos = 0;
        while (true)
        {
            int atomStart = pos;
            while (pos < span.Length && IsAtext(span[pos]))
            {
                pos++;
            }

            if (pos == atomStart)
            {
                return 0; // empty atom: leading, trailing or doubled dot
            }

            if (pos < span.Length && span[pos] == (byte)'.')
            {
                pos++;
                continue;
            }

            return pos;
        }
    }

    /// <summary>Length of a Quoted-string (RFC 5321 qtextSMTP / quoted-pairSMTP, plus UTF-8) including both quotes; -1 when unterminated.</summary>
    private static int QuotedStringLength(ReadOnlySpan<byte> span)
    {
        int pos = 1;
        while (pos < span.Length)
        {
            byte b = span[pos];
            if (b == (byte)'"')
            {
                return pos + 1;
            }

            if (b == (byte)'\\')
            {
                if (pos + 1 >= span.Length || span[pos + 1] < 32 || span[pos + 1] > 126)
                {
                    return -1;
                }

                pos += 2;
                continue;
            }

            if (b < 32 || b == 127)
            {
                return -1;
            }

            pos++;
        }

        return -1;
    }

    /// <summary>Length of a Domain (RFC 5321, U-labels allowed) at the start of the span; 0 when none.</summary>
    public static int DomainLength(ReadOnlySpan<byte> span)
    {
        int pos = 0;
        while (true)
        {
            int labelStart = pos;
            if (pos >= span.Length || !IsLabelChar(span[pos]) || span[pos] == (byte)'-')
            {
                return 0;
            }

            while (pos < span.Length && IsLabelChar(span[pos]))
            {
                pos++;
            }

            if (span[pos - 1] == (byte)'-' || pos - labelStart > MaxLabelLength)
            {
                return 0;
            }

            if (pos > MaxDomainLength)
            {
                return 0;
            }

            if (pos + 1 < span.Length && span[pos] == (byte)'.' && IsLabelChar(span[pos + 1]))
            {
                pos++;
                continue;
            }

            return pos;
        }
    }

    private static bool IsLabelChar(byte b) => b >= 0x80 || IsAlphaDigit(b) || b == (byte)'-';

    /// <summary>Length of an address-literal <c>[...]</c> at the start of the span; 0 when invalid.</summary>
    public static int AddressLiteralLength(ReadOnlySpan<byte> span)
    {
        if (span.IsEmpty || span[0] != (byte)'[')
        {
            return 0;
        }

        int close = span.IndexOf((byte)']');
        if (close < 2)
        {
            return 0;
        }

        var content = span[1..close];
        return IsValidAddressLiteralContent(content) ? close + 1 : 0;
    }

    private static bool IsValidAddressLiteralContent(ReadOnlySpan<byte> content)
    {
        if (content.Length > 5 && Ascii.EqualsIgnoreCase(content[..5], "IPv6:"u8))
        {
            var ip = content[5..];
            if (ip.Length > 45 || !Ascii.IsValid(ip) || ip.Contains((byte)'%'))
            {
                return false;
            }

            Span<char> chars = stackalloc char[45];
            int n = Encoding.ASCII.GetChars(ip, chars);
            return IPAddress.TryParse(chars[..n], out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        if (IsDigit(content[0]))
        {
            return IsIPv4(content);
        }

        // General-address-literal = Standardized-tag ":" 1*dcontent
        int colon = content.IndexOf((byte)':');
        if (colon <= 0 || colon == content.Length - 1 || DomainLength(content[..colon]) != colon)
        {
            return false;
        }

        foreach (byte b in content[(colon + 1)..])
        {
            if (b < 33 || b > 126 || b is (byte)'[' or (byte)'\\' or (byte)']')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsIPv4(ReadOnlySpan<byte> s)
    {
        int parts = 0;
        int pos = 0;
        while (true)
        {
            int start = pos;
            while (pos < s.Length && IsDigit(s[pos]))
            {
                pos++;
            }

            if (!TryParseDigits(s[start..pos], 3, out long value) || value > 255)
            {
                return false;
            }

            parts++;
            if (pos == s.Length)
            {
                return parts == 4;
            }

            if (s[pos] != (byte)'.' || parts == 4)
            {
                return false;
            }

            pos++;
        }
    }

    /// <summary>Classifies an EHLO/HELO argument.</summary>
    public static HeloDomainKind ClassifyHeloName(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty)
        {
            return HeloDomainKind.None;
        }

        if (name[0] == (byte)'[')
        {
            return AddressLiteralLength(name) == name.Length ? HeloDomainKind.AddressLiteral : HeloDomainKind.Invalid;
        }

        if (DomainLength(name) != name.Length || (!Ascii.IsValid(name) && !Utf8.IsValid(name)))
        {
            return HeloDomainKind.Invalid;
        }

        int lastDot = name.LastIndexOf((byte)'.');
        if (!name[(lastDot + 1)..].ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return HeloDomainKind.Invalid; // an all-numeric top label: a bare IP address, not a name
        }

        return lastDot >= 0 ? HeloDomainKind.FullyQualified : HeloDomainKind.SingleLabel;
    }

    /// <summary>
    /// Decodes xtext (RFC 3461 4: <c>"+" HEXDIGIT HEXDIGIT</c> escapes; any other octet 33..126 except
    /// <c>+</c> and <c>=</c> as itself). Returns the decoded length, or -1 when malformed.
    /// Octets above 127 are passed through only when <paramref name="allowUtf8"/>.
    /// </summary>
    public static int DecodeXtext(ReadOnlySpan<byte> xtext, Span<byte> destination, bool allowUtf8)
    {
        int written = 0;
        for (int i = 0; i < xtext.Length; i++)
        {
            byte b = xtext[i];
            if (b == (byte)'+')
            {
                if (i + 2 >= xtext.Length)
                {
                    return -1;
                }

                int hi = HexValue(xtext[i + 1]);
                int lo = HexValue(xtext[i + 2]);
                if (hi < 0 || lo < 0)
                {
                    return -1;
                }

                destination[written++] = (byte)((hi << 4) | lo);
                i += 2;
            }
            else if ((b >= 33 && b <= 126 && b != (byte)'=') || (allowUtf8 && b >= 0x80))
            {
                destination[written++] = b;
            }
            else
            {
                return -1;
            }
        }

        return written;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        _ => -1,
    };
}
