using System.Buffers;
using System.Globalization;
using Sluice.Protocol;

namespace Sluice.Fuzz;

/// <summary>
/// The <c>command</c> target: the SMTP command reader over arbitrary bytes read the way a session
/// reads them (a pipelined batch of lines; a BDAT's octets skipped with the chunk reader). The same
/// bytes must give the same commands whether they sit in one buffer, in two segments, or arrive in
/// several reads; any difference, a read that makes no progress, or an exception is a finding.
/// </summary>
public static class CommandTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        var whole = ReadAll([input.ToArray()], streamed: false);

        var twoSegments = ReadAll(SplitPoints.Pieces(input, SplitPoints.Cuts(input, 1)), streamed: false);
        Compare.Events(whole, twoSegments, "the input in two segments");

        var streamed = ReadAll(SplitPoints.Pieces(input, SplitPoints.Cuts(input, 4)), streamed: true);
        Compare.Events(whole, streamed, "the input fed in several reads");
    }

    /// <summary>
    /// Reads <paramref name="pieces"/> as one multi-segment buffer, or (<paramref name="streamed"/>)
    /// one piece per read, keeping what a read left unconsumed in front of the next piece as a pipe does.
    /// </summary>
    private static List<string> ReadAll(List<byte[]> pieces, bool streamed)
    {
        var connection = new Connection();
        var events = new List<string>();
        long remaining;
        if (!streamed)
        {
            var reader = new SequenceReader<byte>(Segments.Sequence(pieces));
            connection.Drain(ref reader, events);
            remaining = reader.Remaining;
        }
        else
        {
            var pending = new List<byte[]>();
            foreach (var piece in pieces)
            {
                pending.Add(piece);
                var buffer = Segments.Sequence(pending);
                var reader = new SequenceReader<byte>(buffer);
                connection.Drain(ref reader, events);
                var rest = buffer.Slice(reader.Position).ToArray();
                pending = rest.Length == 0 ? [] : [rest];
            }

            remaining = pending.Sum(p => (long)p.Length);
        }

        events.Add(string.Create(CultureInfo.InvariantCulture,
            $"end: remaining={remaining} in-chunk={connection.InChunk} discarding={connection.State.DiscardingLongLine}"));
        return events;
    }

    /// <summary>What one connection's read loop keeps between reads.</summary>
    private sealed class Connection
    {
        public CommandReaderState State { get; } = new();

        public BdatReader Bdat { get; } = new();

        public bool InChunk { get; private set; }

        /// <summary>Reads commands (and skips BDAT octets) until the reader needs more data.</summary>
        public void Drain(ref SequenceReader<byte> reader, List<string> events)
        {
            // Every command consumes at least its CRLF and every chunk ends once, so this bounds the loop.
            long limit = (2 * reader.Remaining) + 4;
            for (long round = 0; round < limit; round++)
            {
                if (InChunk)
                {
                    if (Bdat.Read(ref reader, null) == DataReadStatus.NeedMoreData)
                    {
                        return;
                    }

                    events.Add("chunk read");
                    InChunk = false;
                    continue;
                }

                long before = reader.Consumed;
                var status = SmtpCommandReader.TryReadCommand(ref reader, State, out var command);
                if (status == CommandReadStatus.NeedMoreData)
                {
                    return;
                }

                if (reader.Consumed == before)
                {
                    throw new FuzzFindingException($"{status} consumed nothing: the session's read loop would spin");
                }

                if (status == CommandReadStatus.LineTooLong)
                {
                    events.Add("line too long");
                    continue;
                }

                events.Add(Describe(command));
                if (command.IsValid && command.Verb == SmtpVerb.Bdat)
                {
                    // As a session does after a BDAT it refuses: read the octets so the stream stays in sync.
                    Bdat.BeginChunk(command.ChunkSize, command.IsLastChunk, discard: true);
                    InChunk = true;
                }
            }

            throw new FuzzFindingException("the command loop did not end within its bound");
        }
    }

    private static string Describe(SmtpCommand c)
    {
        var p = c.Parameters;
        return string.Create(CultureInfo.InvariantCulture,
            $"{c.Verb} error={c.Error}/{c.ErrorParameter} domain={c.Domain}|{c.DomainKind} "
            + $"path={c.Path.Address}|{c.Path.IsNull}|{c.Path.IsPostmaster}|{c.Path.HasNonAscii} "
            + $"params={p.Present}|{p.Size}|{p.Body}|{p.Ret}|{p.EnvelopeId}|{p.Notify}|{p.OriginalRecipient}|"
            + $"{p.ByTime}|{p.ByMode}|{p.ByTrace}|{p.HoldFor}|{p.HoldUntil:O}|{p.MtPriority}|{p.AuthMailbox} "
            + $"chunk={c.ChunkSize}|{c.IsLastChunk} auth={c.AuthMechanism} argument={c.Argument}");
    }
}
