using System.Buffers;
using System.Text;

namespace Sluice.Tests.Protocol;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/> values for split-point tests.</summary>
internal static class Segments
{
    public static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>One sequence whose segments are <paramref name="parts"/> (empty parts included).</summary>
    public static ReadOnlySequence<byte> Of(params byte[][] parts)
    {
        if (parts.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(parts[0], 0);
        var last = first;
        for (int i = 1; i < parts.Length; i++)
        {
            last = last.Append(parts[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary><paramref name="data"/> split at the given positions.</summary>
    public static ReadOnlySequence<byte> SplitAt(byte[] data, params int[] positions)
    {
        var parts = new List<byte[]>();
        int start = 0;
        foreach (int p in positions)
        {
            parts.Add(data[start..p]);
            start = p;
        }

        parts.Add(data[start..]);
        return Of([.. parts]);
    }

    /// <summary><paramref name="data"/> as segments of <paramref name="size"/> bytes.</summary>
    public static ReadOnlySequence<byte> Chunked(byte[] data, int size)
    {
        var parts = new List<byte[]>();
        for (int i = 0; i < data.Length; i += size)
        {
            parts.Add(data[i..Math.Min(data.Length, i + size)]);
        }

        return Of([.. parts]);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
