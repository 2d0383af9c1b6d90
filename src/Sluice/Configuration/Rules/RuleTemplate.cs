using System.Globalization;
using System.Text.RegularExpressions;

namespace Sluice.Configuration.Rules;

/// <summary>
/// A <c>then</c> string that uses regex groups: <c>"${1}@example.org"</c>. Parsed once at start-up
/// into literal pieces and group numbers; expanding it is the one place a rule allocates.
/// </summary>
internal sealed class RuleTemplate
{
    private readonly string[] _literals; // one more than _groups: literal, group, literal, ...
    private readonly int[] _groups;

    private RuleTemplate(string[] literals, int[] groups)
    {
        _literals = literals;
        _groups = groups;
    }

    /// <summary>The highest group number the template refers to.</summary>
    public int MaxGroup { get; private init; }

    /// <summary>Parses <c>${n}</c> references; null when the text has none (it is then a plain value).</summary>
    public static RuleTemplate? Parse(string text)
    {
        var literals = new List<string>();
        var groups = new List<int>();
        var start = 0;
        var i = 0;
        while ((i = text.IndexOf("${", i, StringComparison.Ordinal)) >= 0)
        {
            var end = i + 2;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }
            if (end == i + 2 || end >= text.Length || text[end] != '}' || end - i - 2 > 4)
            {
                i += 2; // not a group reference: kept as literal text
                continue;
            }
            literals.Add(text[start..i]);
            groups.Add(int.Parse(text.AsSpan(i + 2, end - i - 2), NumberStyles.None, CultureInfo.InvariantCulture));
            start = i = end + 1;
        }
        if (groups.Count == 0)
        {
            return null;
        }
        literals.Add(text[start..]);
        var max = 0;
        foreach (var group in groups)
        {
            max = Math.Max(max, group);
        }
        return new RuleTemplate([.. literals], [.. groups]) { MaxGroup = max };
    }

    /// <summary>The text with each <c>${n}</c> replaced by group n of <paramref name="match"/> ("" when it did not take part).</summary>
    public string Expand(Match? match)
    {
        var length = _literals[^1].Length;
        for (var i = 0; i < _groups.Length; i++)
        {
            length += _literals[i].Length + GroupText(match, _groups[i]).Length;
        }
        return string.Create(length, (this, match), static (span, state) =>
        {
            var (template, match) = state;
            var at = 0;
            for (var i = 0; i < template._groups.Length; i++)
            {
                template._literals[i].AsSpan().CopyTo(span[at..]);
                at += template._literals[i].Length;
                var group = GroupText(match, template._groups[i]);
                group.CopyTo(span[at..]);
                at += group.Length;
            }
            template._literals[^1].AsSpan().CopyTo(span[at..]);
        });
    }

    private static ReadOnlySpan<char> GroupText(Match? match, int number)
    {
        if (match is null || number >= match.Groups.Count)
        {
            return [];
        }
        var group = match.Groups[number];
        return group.Success ? group.ValueSpan : [];
    }
}
