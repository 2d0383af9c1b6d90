using System.Runtime.CompilerServices;

namespace Sluice.Sieve.Runtime;

/// <summary>
/// :matches patterns (RFC 5228 §2.7.1): "*" any sequence, "?" one character, "\" escapes the next.
/// Each "*" takes as little as it can (RFC 5229 §3.2 relies on that for ${n}). The algorithm keeps one
/// backtrack point (the last "*"), so it runs in O(value × pattern), never exponentially.
/// </summary>
internal static class Wildcard
{
    private readonly record struct Token(char Char, bool IsStar, bool IsAny);

    /// <summary>A pattern tokenized for one comparator; the same key string (a script constant) finds it again.</summary>
    private sealed record Compiled(ComparatorDefinition Comparator, Token[] Tokens, int Wildcards);

    private sealed record Folded(ComparatorDefinition Comparator, string Value);

    // Keyed by the string instances: script constants and a message's cached header values are the
    // same objects run after run, so repeated runs neither tokenize nor fold again (nor allocate).
    private static readonly ConditionalWeakTable<string, Compiled> Patterns = [];
    private static readonly ConditionalWeakTable<string, Folded> FoldedValues = [];

    private static Compiled Pattern(string pattern, ComparatorDefinition comparator)
    {
        if (Patterns.TryGetValue(pattern, out Compiled? cached) && ReferenceEquals(cached.Comparator, comparator))
        {
            return cached;
        }
        Token[] tokens = Tokenize(comparator.Fold(pattern));
        var compiled = new Compiled(comparator, tokens, tokens.Count(t => t.IsStar || t.IsAny));
        Patterns.AddOrUpdate(pattern, compiled);
        return compiled;
    }

    private static string Fold(string value, ComparatorDefinition comparator)
    {
        if (comparator is OctetComparator)
        {
            return value;
        }
        if (FoldedValues.TryGetValue(value, out Folded? cached) && ReferenceEquals(cached.Comparator, comparator))
        {
            return cached.Value;
        }
        string folded = comparator.Fold(value);
        if (value.Length <= 4096)
        {
            FoldedValues.AddOrUpdate(value, new Folded(comparator, folded));
        }
        return folded;
    }

    public static bool Match(RunState state, string value, string pattern, ComparatorDefinition comparator, List<string>? captures)
    {
        string v = Fold(value, comparator);
        Compiled compiled = Pattern(pattern, comparator);
        Token[] p = compiled.Tokens;
        // Captures come from the original text when folding kept the length (all but unicode-casemap on exotic text).
        string source = v.Length == value.Length ? value : v;

        int wildcardCount = compiled.Wildcards;
        Span<int> starts = wildcardCount <= 64 ? stackalloc int[wildcardCount] : new int[wildcardCount];
        Span<int> lengths = wildcardCount <= 64 ? stackalloc int[wildcardCount] : new int[wildcardCount];

        int vi = 0, pi = 0, wi = 0;
        int starPi = -1, starVi = -1, starWi = -1;
        long steps = 0;
        while (vi < v.Length)
        {
            if (++steps % 1024 == 0)
            {
                state.Tick();
            }
            if (pi < p.Length && p[pi].IsStar)
            {
                starPi = pi;
                starVi = vi;
                starWi = wi;
                starts[wi] = vi;
                lengths[wi] = 0;
                wi++;
                pi++;
            }
            else if (pi < p.Length && (p[pi].IsAny || p[pi].Char == v[vi]))
            {
                if (p[pi].IsAny)
                {
                    starts[wi] = vi;
                    lengths[wi] = 1;
                    wi++;
                }
                pi++;
                vi++;
            }
            else if (starPi >= 0)
            {
                // Let the last "*" take one more character and retry what follows it.
                starVi++;
                vi = starVi;
                pi = starPi + 1;
                wi = starWi + 1;
                lengths[starWi] = starVi - starts[starWi];
            }
            else
            {
                return false;
            }
        }
        while (pi < p.Length && p[pi].IsStar)
        {
            starts[wi] = vi;
            lengths[wi] = 0;
            wi++;
            pi++;
        }
        if (pi != p.Length)
        {
            return false;
        }
        if (captures is not null)
        {
            for (int i = 0; i < wildcardCount; i++)
            {
                captures.Add(source.Substring(starts[i], lengths[i]));
            }
        }
        return true;
    }

    private static Token[] Tokenize(string pattern)
    {
        var tokens = new List<Token>(pattern.Length);
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                tokens.Add(new Token(pattern[++i], false, false));
            }
            else if (c == '*')
            {
                // Consecutive stars behave as one but each still yields a (possibly empty) match value.
                tokens.Add(new Token(c, true, false));
            }
            else if (c == '?')
            {
                tokens.Add(new Token(c, false, true));
            }
            else
            {
                tokens.Add(new Token(c, false, false));
            }
        }
        return [.. tokens];
    }
}
