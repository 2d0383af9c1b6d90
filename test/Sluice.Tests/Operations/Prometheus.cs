using System.Globalization;
using System.Net;

namespace Sluice.Tests.Operations;

/// <summary>Reads samples out of a Prometheus text exposition.</summary>
internal static class Prometheus
{
    public static async Task<string> ScrapeAsync(IPEndPoint http)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var response = await client.GetAsync(new Uri($"http://{http}/metrics"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of the samples of <paramref name="metric"/> whose labels include every one of <paramref name="labels"/> (<c>name="value"</c>); 0 when none.</summary>
    public static double Value(string text, string metric, params string[] labels)
    {
        double sum = 0;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var name = brace >= 0 ? line[..brace] : line[..line.IndexOf(' ', StringComparison.Ordinal)];
            if (name != metric)
            {
                continue;
            }
            var labelText = brace >= 0 ? line[brace..(line.LastIndexOf('}') + 1)] : string.Empty;
            if (labels.All(l => labelText.Contains(l, StringComparison.Ordinal)))
            {
                // "value" or "value timestamp": the value is the first number after the labels.
                var rest = line[(brace >= 0 ? line.LastIndexOf('}') + 1 : name.Length)..].Trim().Split(' ');
                sum += double.Parse(rest[0], CultureInfo.InvariantCulture);
            }
        }
        return sum;
    }

    /// <summary>Scrapes until <paramref name="condition"/> holds (the exporter may cache a scrape briefly), or fails after a deadline.</summary>
    public static async Task<string> ScrapeUntilAsync(IPEndPoint http, Func<string, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        string text;
        do
        {
            text = await ScrapeAsync(http);
            if (condition(text))
            {
                return text;
            }
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"{what}; last scrape:\n{text}");
        return text;
    }
}
