using System.Globalization;

namespace Sluice.Configuration.Values;

/// <summary>Sizes as SPEC §2.1 writes them: bytes, or a number with k/kb, m/mb, g/gb (1024-based, any case).</summary>
public static class ByteSize
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
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
        long multiplier = s[digits..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" => 1024,
            "M" or "MB" => 1024 * 1024,
            "G" or "GB" => 1024 * 1024 * 1024,
            _ => 0,
        };
        if (multiplier == 0 || number > long.MaxValue / multiplier)
        {
            return false;
        }
        bytes = number * multiplier;
        return true;
    }
}
