namespace Sluice.Fuzz;

/// <summary>Equality checks that turn a difference into a <see cref="FuzzFindingException"/> saying where.</summary>
internal static class Compare
{
    public static void Events(List<string> expected, List<string> actual, string what)
    {
        int n = Math.Min(expected.Count, actual.Count);
        for (int i = 0; i < n; i++)
        {
            if (!string.Equals(expected[i], actual[i], StringComparison.Ordinal))
            {
                throw new FuzzFindingException($"{what}: event {i} differs from the whole input's: '{actual[i]}' instead of '{expected[i]}'");
            }
        }

        if (expected.Count != actual.Count)
        {
            throw new FuzzFindingException($"{what}: {actual.Count} events instead of the whole input's {expected.Count}");
        }
    }

    public static void Bytes(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what)
    {
        if (!expected.SequenceEqual(actual))
        {
            int at = expected.CommonPrefixLength(actual);
            throw new FuzzFindingException($"{what}: output differs from the whole input's at octet {at} ({actual.Length} octets instead of {expected.Length})");
        }
    }
}
