namespace Sluice.Protocol;

/// <summary>RFC 3339 <c>date-time</c> over bytes (for HOLDUNTIL, RFC 4865).</summary>
internal static class Rfc3339
{
    /// <summary>Parses <c>YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)</c>; <c>T</c> and <c>Z</c> in either case.</summary>
    public static bool TryParse(ReadOnlySpan<byte> s, out DateTimeOffset value)
    {
        value = default;
        if (s.Length < 20
            || s[4] != (byte)'-' || s[7] != (byte)'-' || (s[10] | 0x20) != 't' || s[13] != (byte)':' || s[16] != (byte)':'
            || !Digits(s[..4], out int year) || !Digits(s.Slice(5, 2), out int month) || !Digits(s.Slice(8, 2), out int day)
            || !Digits(s.Slice(11, 2), out int hour) || !Digits(s.Slice(14, 2), out int minute) || !Digits(s.Slice(17, 2), out int second))
        {
            return false;
        }

        int pos = 19;
        long ticks = 0;
        if (s[pos] == (byte)'.')
        {
            int start = ++pos;
            long scale = TimeSpan.TicksPerSecond;
            while (pos < s.Length && SmtpSyntax.IsDigit(s[pos]))
            {
                scale /= 10;
                ticks += (s[pos] - '0') * scale;
                pos++;
            }

            if (pos == start || pos >= s.Length)
            {
                return false;
            }
        }

        TimeSpan offset;
        var zone = s[pos..];
        if (zone.Length == 1 && (zone[0] | 0x20) == 'z')
        {
            offset = TimeSpan.Zero;
        }
        else if (zone.Length == 6 && zone[0] is (byte)'+' or (byte)'-' && zone[3] == (byte)':'
                 && Digits(zone.Slice(1, 2), out int oh) && Digits(zone.Slice(4, 2), out int om) && oh <= 23 && om <= 59)
        {
            offset = new TimeSpan(oh, om, 0);
            if (zone[0] == (byte)'-')
            {
                offset = -offset;
            }
        }
        else
        {
            return false;
        }

        if (month is < 1 or > 12 || day < 1 || year < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        // A leap second (60) is folded onto the next second.
        int extra = second == 60 ? 1 : 0;
        try
        {
            value = new DateTimeOffset(year, month, day, hour, minute, second - extra, offset).AddTicks(ticks).AddSeconds(extra);
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }

        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> s, out int value)
    {
        bool ok = SmtpSyntax.TryParseDigits(s, s.Length, out long v);
        value = (int)v;
        return ok;
    }
}
