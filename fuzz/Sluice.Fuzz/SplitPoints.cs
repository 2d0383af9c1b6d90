namespace Sluice.Fuzz;

/// <summary>
/// Split points derived from the input itself, so that a crash replays identically from its file
/// (no randomness, no per-process seeded hash such as <see cref="HashCode"/>).
/// </summary>
internal static class SplitPoints
{
    /// <summary>64-bit FNV-1a of the input: cheap and stable across processes.</summary>
    public static ulong Hash(ReadOnlySpan<byte> input)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in input)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>
    /// Up to <paramref name="count"/> distinct, ascending cut positions strictly inside
    /// <c>[0, length]</c> (a cut at 0 or at the end would not split anything).
    /// </summary>
    public static int[] Cuts(ReadOnlySpan<byte> input, int count)
    {
        if (input.Length < 2)
        {
            return [];
        }

        ulong state = Hash(input);
        var cuts = new SortedSet<int>();
        for (int i = 0; i < count; i++)
        {
            state = Next(state);
            cuts.Add(1 + (int)(state % (ulong)(input.Length - 1)));
        }

        return [.. cuts];
    }

    /// <summary>One step of a 64-bit xorshift; enough to spread the points over the input.</summary>
    public static ulong Next(ulong state)
    {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }

    /// <summary>Cuts <paramref name="input"/> into the pieces between <paramref name="cuts"/>.</summary>
    public static List<byte[]> Pieces(ReadOnlySpan<byte> input, int[] cuts)
    {
        var pieces = new List<byte[]>(cuts.Length + 1);
        int start = 0;
        foreach (int cut in cuts)
        {
            pieces.Add(input[start..cut].ToArray());
            start = cut;
        }

        pieces.Add(input[start..].ToArray());
        return pieces;
    }
}
