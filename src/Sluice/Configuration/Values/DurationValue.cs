using System.Globalization;

namespace Sluice.Configuration.Values;

/// <summary>Durations as SPEC §2.1 writes them: one number and one unit (ms, s, m, h, d).</summary>
public static class DurationValue
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var s = text.Trim();
        var digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits]))
        {
            digits++;
        }
        if (digits == 0 || !long.TryParse(s.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        double? milliseconds = s[digits..].Trim().ToUpperInvariant() switch
        {
            "MS" => number,
            "S" => number * 1000.0,
            "M" => number * 60_000.0,
            "H" => number * 3_600_000.0,
            "D" => number * 86_400_000.0,
            _ => null,
        };
        if (milliseconds is not { } ms || ms > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }
        duration = TimeSpan.FromMilliseconds(ms);
        return true;
    }
}
