using System.Text;

namespace Sluice.Protocol;

/// <summary>Parses the <c>esmtp-param</c> list after a MAIL/RCPT path (RFC 5321 4.1.2).</summary>
internal static class EsmtpParameterParser
{
    private const int MaxEnvIdLength = 100;   // RFC 3461 4.4
    private const int MaxOrcptLength = 500;   // RFC 3461 4.2

    /// <summary>
    /// Parses <paramref name="text"/> (empty, or starting with a space) into <paramref name="parameters"/>.
    /// The first problem found left to right is returned.
    /// </summary>
    public static SmtpCommandError Parse(ReadOnlySpan<byte> text, bool isMail, ref EsmtpParameters parameters, out SmtpParameters errorParameter)
    {
        errorParameter = SmtpParameters.None;
        while (true)
        {
            text = text.TrimStart((byte)' ');
            if (text.IsEmpty)
            {
                return SmtpCommandError.None;
            }

            int end = text.IndexOf((byte)' ');
            var token = end < 0 ? text : text[..end];
            text = end < 0 ? [] : text[end..];

            int eq = token.IndexOf((byte)'=');
            var keyword = eq < 0 ? token : token[..eq];
            bool hasValue = eq >= 0;
            var value = hasValue ? token[(eq + 1)..] : [];
            if (!IsKeyword(keyword))
            {
                return SmtpCommandError.Syntax;
            }

            var kind = Identify(keyword, isMail);
            if (kind == SmtpParameters.None)
            {
                return SmtpCommandError.UnknownParameter;
            }

            errorParameter = kind;
            if ((parameters.Present & kind) != 0
                || (kind == SmtpParameters.HoldFor && (parameters.Present & SmtpParameters.HoldUntil) != 0)
                || (kind == SmtpParameters.HoldUntil && (parameters.Present & SmtpParameters.HoldFor) != 0))
            {
                return SmtpCommandError.DuplicateParameter;
            }

            if (!ParseValue(kind, hasValue, value, ref parameters))
            {
                return SmtpCommandError.InvalidParameterValue;
            }

            parameters.Present |= kind;
            errorParameter = SmtpParameters.None;
        }
    }

    private static bool IsKeyword(ReadOnlySpan<byte> keyword)
    {
        if (keyword.IsEmpty || !SmtpSyntax.IsAlphaDigit(keyword[0]))
        {
            return false;
        }

        foreach (byte b in keyword)
        {
            if (!SmtpSyntax.IsAlphaDigit(b) && b != (byte)'-')
            {
                return false;
            }
        }

        return true;
    }

    private static SmtpParameters Identify(ReadOnlySpan<byte> k, bool isMail)
    {
        if (!isMail)
        {
            if (Ascii.EqualsIgnoreCase(k, "NOTIFY"u8))
            {
                return SmtpParameters.Notify;
            }

            return Ascii.EqualsIgnoreCase(k, "ORCPT"u8) ? SmtpParameters.Orcpt : SmtpParameters.None;
        }

        return k.Length switch
        {
            2 when Ascii.EqualsIgnoreCase(k, "BY"u8) => SmtpParameters.By,
            3 when Ascii.EqualsIgnoreCase(k, "RET"u8) => SmtpParameters.Ret,
            4 when Ascii.EqualsIgnoreCase(k, "SIZE"u8) => SmtpParameters.Size,
            4 when Ascii.EqualsIgnoreCase(k, "BODY"u8) => SmtpParameters.Body,
            4 when Ascii.EqualsIgnoreCase(k, "AUTH"u8) => SmtpParameters.Auth,
            5 when Ascii.EqualsIgnoreCase(k, "ENVID"u8) => SmtpParameters.EnvId,
            7 when Ascii.EqualsIgnoreCase(k, "HOLDFOR"u8) => SmtpParameters.HoldFor,
            8 when Ascii.EqualsIgnoreCase(k, "SMTPUTF8"u8) => SmtpParameters.SmtpUtf8,
            9 when Ascii.EqualsIgnoreCase(k, "HOLDUNTIL"u8) => SmtpParameters.HoldUntil,
            10 when Ascii.EqualsIgnoreCase(k, "REQUIRETLS"u8) => SmtpParameters.RequireTls,
            11 when Ascii.EqualsIgnoreCase(k, "MT-PRIORITY"u8) => SmtpParameters.MtPriority,
            _ => SmtpParameters.None,
        };
    }

    private static bool ParseValue(SmtpParameters kind, bool hasValue, ReadOnlySpan<byte> v, ref EsmtpParameters p)
    {
        if (kind is SmtpParameters.SmtpUtf8 or SmtpParameters.RequireTls)
        {
            return !hasValue; // keyword-only parameters
        }

        if (v.IsEmpty)
        {
            return false;
        }

        switch (kind)
        {
            case SmtpParameters.Size:
                if (v.Length > 20 || v.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
                {
                    return false; // size-value = 1*20DIGIT (RFC 1870)
                }

                p.Size = SmtpSyntax.TryParseDigits(v, 18, out long size) ? size
                    : ulong.TryParse(v, out ulong big) && big <= long.MaxValue ? (long)big : long.MaxValue;
                return true;

            case SmtpParameters.Body:
                if (Ascii.EqualsIgnoreCase(v, "7BIT"u8))
                {
                    p.Body = SmtpBodyType.SevenBit;
                }
                else if (Ascii.EqualsIgnoreCase(v, "8BITMIME"u8))
                {
                    p.Body = SmtpBodyType.EightBitMime;
                }
                else if (Ascii.EqualsIgnoreCase(v, "BINARYMIME"u8))
                {
                    p.Body = SmtpBodyType.BinaryMime;
                }
                else
                {
                    return false;
                }

                return true;

            case SmtpParameters.Ret:
                if (Ascii.EqualsIgnoreCase(v, "FULL"u8))
                {
                    p.Ret = DsnReturn.Full;
                }
                else if (Ascii.EqualsIgnoreCase(v, "HDRS"u8))
                {
                    p.Ret = DsnReturn.Headers;
                }
                else
                {
                    return false;
                }

                return true;

            case SmtpParameters.EnvId:
                {
                    var id = DecodePrintableXtext(v, MaxEnvIdLength, allowUtf8: false);
                    p.EnvelopeId = id;
                    return id is not null;
                }

            case SmtpParameters.Notify:
                return ParseNotify(v, ref p);

            case SmtpParameters.Orcpt:
                return ParseOrcpt(v, ref p);

            case SmtpParameters.By:
                return ParseBy(v, ref p);

            case SmtpParameters.HoldFor:
                if (!SmtpSyntax.TryParseDigits(v, 9, out long seconds))
                {
                    return false;
                }

                p.HoldFor = seconds;
                return true;

            case SmtpParameters.HoldUntil:
                if (!Rfc3339.TryParse(v, out var until))
                {
                    return false;
                }

                p.HoldUntil = until;
                return true;

            case SmtpParameters.MtPriority:
                {
                    int sign = 1;
                    if (v[0] is (byte)'-' or (byte)'+')
                    {
                        sign = v[0] == (byte)'-' ? -1 : 1;
                        v = v[1..];
                    }

                    if (v.Length != 1 || !SmtpSyntax.IsDigit(v[0]))
                    {
                        return false;
                    }

                    p.MtPriority = sign * (v[0] - '0');
                    return true;
                }

            case SmtpParameters.Auth:
                if (v.SequenceEqual("<>"u8))
                {
                    p.AuthMailbox = "<>";
                    return true;
                }

                p.AuthMailbox = DecodePrintableXtext(v, SmtpCommandReader.MaxLineLength, allowUtf8: true);
                return p.AuthMailbox is not null;

            default:
                return false;
        }
    }

    private static bool ParseNotify(ReadOnlySpan<byte> v, ref EsmtpParameters p)
    {
        var flags = DsnNotify.None;
        while (true)
        {
            int comma = v.IndexOf((byte)',');
            var item = comma < 0 ? v : v[..comma];
            DsnNotify flag;
            if (Ascii.EqualsIgnoreCase(item, "NEVER"u8))
            {
                flag = DsnNotify.Never;
            }
            else if (Ascii.EqualsIgnoreCase(item, "SUCCESS"u8))
            {
                flag = DsnNotify.Success;
            }
            else if (Ascii.EqualsIgnoreCase(item, "FAILURE"u8))
            {
                flag = DsnNotify.Failure;
            }
            else if (Ascii.EqualsIgnoreCase(item, "DELAY"u8))
            {
                flag = DsnNotify.Delay;
            }
            else
            {
                return false;
            }

            if ((flags & flag) != 0)
            {
                return false;
            }

            flags |= flag;
            if (comma < 0)
            {
                break;
            }

            v = v[(comma + 1)..];
        }

        if ((flags & DsnNotify.Never) != 0 && flags != DsnNotify.Never)
        {
            return false; // NEVER excludes the others (RFC 3461 4.1)
        }

        p.Notify = flags;
        return true;
    }

    private static bool ParseOrcpt(ReadOnlySpan<byte> v, ref EsmtpParameters p)
    {
        int semicolon = v.IndexOf((byte)';');
        if (semicolon <= 0 || semicolon == v.Length - 1)
        {
            return false;
        }

        var type = v[..semicolon];
        foreach (byte b in type)
        {
            if (b >= 0x80 || !SmtpSyntax.IsAtext(b))
            {
                return false;
            }
        }

        bool utf8Type = Ascii.EqualsIgnoreCase(type, "utf-8"u8);
        Span<byte> decoded = stackalloc byte[SmtpCommandReader.MaxLineLength];
        int n = SmtpSyntax.DecodeXtext(v[(semicolon + 1)..], decoded, allowUtf8: utf8Type);
        if (n <= 0 || n > MaxOrcptLength || !IsPrintable(decoded[..n], allowUtf8: utf8Type))
        {
            return false;
        }

        p.OriginalRecipient = Encoding.ASCII.GetString(type) + ";" + Encoding.UTF8.GetString(decoded[..n]);
        return true;
    }

    private static bool ParseBy(ReadOnlySpan<byte> v, ref EsmtpParameters p)
    {
        int semicolon = v.IndexOf((byte)';');
        if (semicolon <= 0)
        {
            return false;
        }

        var time = v[..semicolon];
        var mode = v[(semicolon + 1)..];
        int sign = 1;
        if (time[0] is (byte)'-' or (byte)'+')
        {
            sign = time[0] == (byte)'-' ? -1 : 1;
            time = time[1..];
        }

        if (!SmtpSyntax.TryParseDigits(time, 9, out long seconds) || mode.IsEmpty || mode.Length > 2)
        {
            return false;
        }

        var byMode = (mode[0] | 0x20) switch
        {
            'n' => DeliverByMode.Notify,
            'r' => DeliverByMode.Return,
            _ => DeliverByMode.None,
        };
        if (byMode == DeliverByMode.None || (mode.Length == 2 && (mode[1] | 0x20) != 't'))
        {
            return false;
        }

        seconds *= sign;
        if (byMode == DeliverByMode.Notify && seconds <= 0)
        {
            return false; // RFC 2852: a notify (N) deadline must lie in the future; only R allows zero or less
        }

        p.ByTime = (int)seconds;
        p.ByMode = byMode;
        p.ByTrace = mode.Length == 2;
        return true;
    }

    private static string? DecodePrintableXtext(ReadOnlySpan<byte> v, int maxLength, bool allowUtf8)
    {
        Span<byte> decoded = stackalloc byte[SmtpCommandReader.MaxLineLength];
        int n = SmtpSyntax.DecodeXtext(v, decoded, allowUtf8);
        if (n <= 0 || n > maxLength || !IsPrintable(decoded[..n], allowUtf8))
        {
            return null;
        }

        return Encoding.UTF8.GetString(decoded[..n]);
    }

    private static bool IsPrintable(ReadOnlySpan<byte> s, bool allowUtf8)
    {
        foreach (byte b in s)
        {
            if (b < 0x20 || b == 0x7F || (b >= 0x80 && !allowUtf8))
            {
                return false;
            }
        }

        return !allowUtf8 || System.Text.Unicode.Utf8.IsValid(s);
    }
}
