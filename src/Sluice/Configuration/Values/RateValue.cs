namespace Sluice.Configuration.Values;

/// <summary>A rate limit, <c>"&lt;count&gt;/&lt;duration&gt;"</c> such as <c>"100/1s"</c>.</summary>
public readonly record struct RateValue(int Count, TimeSpan Period)
{
    public static bool TryParse(string text, out RateValue rate)
    {
        rate = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0
            || !int.TryParse(text.AsSpan(0, slash).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
            || count <= 0
            || !DurationValue.TryParse(text[(slash + 1)..], out var period)
            || period <= TimeSpan.Zero)
        {
            return false;
        }
        rate = new RateValue(count, period);
        return true;
    }

    public override string ToString() => $"{Count}/{Period.TotalMilliseconds}ms";
}
