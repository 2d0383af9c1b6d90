using System.Buffers;
using System.Globalization;
using Sluice.Protocol;

namespace Sluice.Fuzz;

/// <summary>
/// The <c>data</c> target: the DATA reader (dot-unstuffing, end of data, size limit, Received count)
/// and the BDAT chunk reader over arbitrary bytes. What they write and report for the input in one
/// piece must be exactly what they write and report for the same input split at points derived from
/// it (as a multi-segment buffer, and as separate reads, down to one octet per read); any difference
/// or exception is a finding.
/// </summary>
public static class DataTarget
{
    /// <summary>Inputs up to this size are also fed one octet per read (the harshest split).</summary>
    private const int OctetByOctetMax = 4096;

    public static void Run(ReadOnlySpan<byte> input)
    {
        ulong hash = SplitPoints.Hash(input);
        long limit = Limit(hash, input.Length);
        byte[] bytes = input.ToArray();
        RunData(bytes, limit);
        RunBdat(bytes, limit, hash);
    }

    /// <summary>Mostly no limit; one input in four gets a limit within its own length, so that TooBig is reached.</summary>
    private static long Limit(ulong hash, int length) =>
        (hash & 3) == 0 ? (long)((hash >> 2) % (ulong)(length + 1)) : long.MaxValue;

    private static void RunData(byte[] input, long limit)
    {
        var whole = DataOneSpan(input, limit);
        Check(whole, DataSequence([input], limit), "DATA, the input as one sequence");
        Check(whole, DataSequence(SplitPoints.Pieces(input, SplitPoints.Cuts(input, 3)), limit), "DATA, the input in several segments");
        Check(whole, DataReads(SplitPoints.Pieces(input, SplitPoints.Cuts(input, 5)), limit), "DATA, the input in several reads");
        if (input.Length <= OctetByOctetMax)
        {
            Check(whole, DataReads(input.Select(b => new[] { b }).ToList(), limit), "DATA, the input one octet per read");
        }
    }

    private static Outcome DataOneSpan(byte[] input, long limit)
    {
        var reader = new SmtpDataReader(limit);
        var output = new ArrayBufferWriter<byte>();
        var status = reader.Read(input, output, out int consumed);
        if (!reader.TooBig && output.WrittenCount != reader.MessageSize)
        {
            throw new FuzzFindingException("DATA: the message size differs from the octets written although the limit was not passed");
        }

        return new Outcome(output.WrittenSpan.ToArray(), [Describe(reader, status, consumed)]);
    }

    private static Outcome DataSequence(List<byte[]> pieces, long limit)
    {
        var reader = new SmtpDataReader(limit);
        var output = new ArrayBufferWriter<byte>();
        var input = new SequenceReader<byte>(Segments.Sequence(pieces));
        var status = reader.Read(ref input, output);
        return new Outcome(output.WrittenSpan.ToArray(), [Describe(reader, status, input.Consumed)]);
    }

    private static Outcome DataReads(List<byte[]> pieces, long limit)
    {
        var reader = new SmtpDataReader(limit);
        var output = new ArrayBufferWriter<byte>();
        long total = 0;
        var status = DataReadStatus.NeedMoreData;
        foreach (var piece in pieces)
        {
            status = reader.Read(piece, output, out int consumed);
            total += consumed;
            if (status == DataReadStatus.Completed)
            {
                break;
            }

            if (consumed != piece.Length)
            {
                throw new FuzzFindingException("DATA: a read that did not complete left input unconsumed");
            }
        }

        return new Outcome(output.WrittenSpan.ToArray(), [Describe(reader, status, total)]);
    }

    private static string Describe(SmtpDataReader r, DataReadStatus status, long consumed) => string.Create(CultureInfo.InvariantCulture,
        $"{status} consumed={consumed} size={r.MessageSize} {(r.TooBig ? "too big" : "within limit")} completed={r.IsCompleted} received={r.ReceivedHeaderCount}");

    /// <summary>One to four chunks whose sizes (up to a little past the input), LAST flag and a discarded one come from the hash.</summary>
    private static List<(long Size, bool Last, bool Discard)> ChunkPlan(ulong hash, int length)
    {
        var plan = new List<(long, bool, bool)>();
        ulong state = SplitPoints.Next(hash | 1);
        int count = 1 + (int)(state % 4);
        for (int i = 0; i < count; i++)
        {
            state = SplitPoints.Next(state);
            long size = (long)(state % (ulong)(length + 3));
            bool discard = (state >> 60) == 0xF;
            plan.Add((size, i == count - 1, discard));
        }

        return plan;
    }

    private static void RunBdat(byte[] input, long limit, ulong hash)
    {
        var plan = ChunkPlan(hash, input.Length);
        var whole = BdatSequence([input], limit, plan);
        Check(whole, BdatSequence(SplitPoints.Pieces(input, SplitPoints.Cuts(input, 3)), limit, plan), "BDAT, the input in several segments");
        Check(whole, BdatReads(SplitPoints.Pieces(input, SplitPoints.Cuts(input, 5)), limit, plan), "BDAT, the input in several reads");
        if (input.Length <= OctetByOctetMax)
        {
            Check(whole, BdatReads(input.Select(b => new[] { b }).ToList(), limit, plan), "BDAT, the input one octet per read");
        }
    }

    private static Outcome BdatSequence(List<byte[]> pieces, long limit, List<(long Size, bool Last, bool Discard)> plan)
    {
        var reader = new BdatReader(limit);
        var output = new ArrayBufferWriter<byte>();
        var input = new SequenceReader<byte>(Segments.Sequence(pieces));
        var events = new List<string>();
        foreach (var (size, last, discard) in plan)
        {
            reader.BeginChunk(size, last, discard);
            long before = input.Consumed;
            var status = reader.Read(ref input, output);
            events.Add(Describe(reader, status, input.Consumed - before));
            if (status == DataReadStatus.NeedMoreData)
            {
                break;
            }
        }

        return new Outcome(output.WrittenSpan.ToArray(), events);
    }

    private static Outcome BdatReads(List<byte[]> pieces, long limit, List<(long Size, bool Last, bool Discard)> plan)
    {
        var reader = new BdatReader(limit);
        var output = new ArrayBufferWriter<byte>();
        var events = new List<string>();
        int next = 0;
        bool inChunk = false;
        long chunkConsumed = 0;
        foreach (var piece in pieces)
        {
            ReadOnlySpan<byte> rest = piece;
            while (inChunk || next < plan.Count)
            {
                if (!inChunk)
                {
                    var (size, last, discard) = plan[next++];
                    reader.BeginChunk(size, last, discard);
                    inChunk = true;
                    chunkConsumed = 0;
                }

                var status = reader.Read(rest, output, out int consumed);
                rest = rest[consumed..];
                chunkConsumed += consumed;
                if (status == DataReadStatus.NeedMoreData)
                {
                    if (!rest.IsEmpty)
                    {
                        throw new FuzzFindingException("BDAT: a chunk read that did not complete left input unconsumed");
                    }

                    break;
                }

                events.Add(Describe(reader, status, chunkConsumed));
                inChunk = false;
            }
        }

        if (inChunk)
        {
            events.Add(Describe(reader, DataReadStatus.NeedMoreData, chunkConsumed));
        }

        return new Outcome(output.WrittenSpan.ToArray(), events);
    }

    private static string Describe(BdatReader r, DataReadStatus status, long consumed)
    {
        if (r.MessageSize > r.MaxMessageSize)
        {
            throw new FuzzFindingException("BDAT: the message passed its size limit");
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"{status} consumed={consumed} size={r.MessageSize} too-big={r.TooBig} dropped={r.ChunkDropped} left={r.ChunkRemaining} last={r.IsLastChunk} received={r.ReceivedHeaderCount}");
    }

    private static void Check(Outcome expected, Outcome actual, string what)
    {
        Compare.Events(expected.Events, actual.Events, what);
        Compare.Bytes(expected.Output, actual.Output, what);
    }

    private sealed record Outcome(byte[] Output, List<string> Events);
}
