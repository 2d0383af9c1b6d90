using System.Buffers;

namespace Sluice.Benchmarks;

internal static class BenchmarkSegments
{
    public static ReadOnlySequence<byte> SplitAt(byte[] data, int position) => Of([data[..position], data[position..]]);

    public static ReadOnlySequence<byte> Chunked(byte[] data, int size)
    {
        var parts = new List<byte[]>();
        for (int i = 0; i < data.Length; i += size)
        {
            parts.Add(data[i..Math.Min(data.Length, i + size)]);
        }

        return Of(parts);
    }

    private static ReadOnlySequence<byte> Of(List<byte[]> parts)
    {
        var first = new Segment(parts[0], 0);
        var last = first;
        for (int i = 1; i < parts.Count; i++)
        {
            last = last.Append(parts[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
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
