using System.Globalization;
using System.Text;

namespace Sluice.Sieve.Runtime;

/// <summary>
/// A collation (RFC 4790). Equality, substring and wildcard matching work on <see cref="Fold"/>ed text
/// compared ordinally; relational tests use <see cref="Compare"/>.
/// </summary>
internal abstract class ComparatorDefinition
{
    public abstract string Name { get; }

    /// <summary>The capability that must be required to use it; null for the ones always available.</summary>
    public virtual string? Capability => "comparator-" + Name;

    /// <summary>Whether :contains and :matches are defined for it (RFC 4790 "substring").</summary>
    public virtual bool SupportsSubstring => true;

    /// <summary>The canonical form characters are compared in.</summary>
    public abstract string Fold(string value);

    public virtual bool AreEqual(string a, string b) => string.Equals(Fold(a), Fold(b), StringComparison.Ordinal);

    public virtual int Compare(string a, string b) => string.CompareOrdinal(Fold(a), Fold(b));

    /// <summary>Whether the key occurs in the value (:contains).</summary>
    public virtual bool Contains(string value, string key) => Fold(value).Contains(Fold(key), StringComparison.Ordinal);
}

/// <summary>i;octet: octets as they are.</summary>
internal sealed class OctetComparator : ComparatorDefinition
{
    public static readonly OctetComparator Instance = new();

    public override string Name => "i;octet";

    public override string? Capability => null;

    public override string Fold(string value) => value;

    // Ordering is by UTF-8 octets; for text without surrogates UTF-16 ordinal order is the same.
    public override int Compare(string a, string b) => string.CompareOrdinal(a, b);
}

/// <summary>i;ascii-casemap: a-z fold to A-Z, everything else as is.</summary>
internal sealed class AsciiCasemapComparator : ComparatorDefinition
{
    public static readonly AsciiCasemapComparator Instance = new();

    public override string Name => "i;ascii-casemap";

    public override string? Capability => null;

    // ASCII text needs no folded copy: the vectorised ordinal-ignore-case search is exact on ASCII.
    // (On other text it is not: it would fold 'ı' to 'I', so that falls back to the folded compare.)
    public override bool AreEqual(string a, string b) =>
        Ascii.IsValid(a) && Ascii.IsValid(b) ? Ascii.EqualsIgnoreCase(a, b) : base.AreEqual(a, b);

    public override bool Contains(string value, string key) =>
        Ascii.IsValid(value) && Ascii.IsValid(key)
            ? value.Contains(key, StringComparison.OrdinalIgnoreCase)
            : base.Contains(value, key);

    public override string Fold(string value)
    {
        if (!value.AsSpan().ContainsAnyInRange('a', 'z'))
        {
            return value;
        }
        return string.Create(value.Length, value, static (span, v) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                char c = v[i];
                span[i] = char.IsAsciiLetterLower(c) ? (char)(c - 32) : c;
            }
        });
    }
}

/// <summary>i;unicode-casemap (RFC 5051): compatibility-decompose, then fold case.</summary>
internal sealed class UnicodeCasemapComparator : ComparatorDefinition
{
    public static readonly UnicodeCasemapComparator Instance = new();

    public override string Name => "i;unicode-casemap";

    // Available without require, as in other implementations; requiring it is still allowed.
    public override string? Capability => null;

    public override string Fold(string value)
    {
        string decomposed;
        try
        {
            decomposed = value.Normalize(NormalizationForm.FormKD);
        }
        catch (ArgumentException)
        {
            // Unpaired surrogates cannot be normalised; compare them as they are.
            decomposed = value;
        }
        return decomposed.ToUpperInvariant();
    }
}

/// <summary>
/// i;ascii-numeric (RFC 4790 §9.1): the leading digits as an unsigned number; a string without leading
/// digits is positive infinity. No substring operations.
/// </summary>
internal sealed class AsciiNumericComparator : ComparatorDefinition
{
    public static readonly AsciiNumericComparator Instance = new();

    public override string Name => "i;ascii-numeric";

    public override bool SupportsSubstring => false;

    public override string Fold(string value) => value;

    public override bool AreEqual(string a, string b) => Compare(a, b) == 0;

    public override int Compare(string a, string b)
    {
        ReadOnlySpan<char> x = LeadingDigits(a), y = LeadingDigits(b);
        if (x.IsEmpty || y.IsEmpty)
        {
            return (x.IsEmpty ? 1 : 0) - (y.IsEmpty ? 1 : 0);
        }
        // Compare as arbitrarily large numbers: strip leading zeros, then length, then digits.
        x = x.TrimStart('0');
        y = y.TrimStart('0');
        if (x.Length != y.Length)
        {
            return x.Length < y.Length ? -1 : 1;
        }
        return Math.Sign(x.SequenceCompareTo(y));
    }

    private static ReadOnlySpan<char> LeadingDigits(string s)
    {
        int n = 0;
        while (n < s.Length && char.IsAsciiDigit(s[n]))
        {
            n++;
        }
        return s.AsSpan(0, n);
    }
}

internal static class ComparatorText
{
    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
