using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Sluice.Protocol;

/// <summary>The outcome of <see cref="SmtpCommandReader.TryReadCommand"/>.</summary>
public enum CommandReadStatus
{
    /// <summary>A whole line was consumed; the command (possibly with an <see cref="SmtpCommand.Error"/>) is in the out value.</summary>
    Command,

    /// <summary>No complete line is buffered. Nothing that matters was consumed: advance the pipe to
    /// <c>reader.Position</c> as consumed and the buffer end as examined, and read again.</summary>
    NeedMoreData,

    /// <summary>The line is over <see cref="SmtpCommandReader.MaxLineLength"/>: answer <c>554 5.3.4</c>
    /// once. The reader has consumed what it saw and the state now discards the rest of that line as
    /// it arrives; keep calling.</summary>
    LineTooLong,
}

/// <summary>
/// What the command reader must remember between two reads of one connection. Keep one per
/// session (and call <see cref="Reset"/> after STARTTLS swaps the transport).
/// </summary>
public sealed class CommandReaderState
{
    /// <summary>True while the rest of an over-long line is being skipped.</summary>
    public bool DiscardingLongLine { get; internal set; }

    /// <summary>Forget any partial state.</summary>
    public void Reset() => DiscardingLongLine = false;
}

/// <summary>
/// Reads SMTP command lines out of buffered input with no I/O of its own.
/// </summary>
/// <remarks>
/// <para>Line ends: only CRLF ends a command line (RFC 5321 2.3.8). A bare LF or bare CR is not a line
/// end: it stays inside the line, and a line that contains one is answered as a syntax error
/// (<c>501 5.5.2</c>) when its CRLF arrives. That closes command smuggling through bare LF.</para>
/// <para>Length: a line may be at most <see cref="MaxLineLength"/> octets counting its CRLF. The reader
/// never looks further than that for a line end, so it never needs more than that much buffered.</para>
/// <para>Usage from a session's read loop:</para>
/// <code>
/// var reader = new SequenceReader&lt;byte&gt;(result.Buffer);
/// while (true) {
///     var status = SmtpCommandReader.TryReadCommand(ref reader, state, out var cmd);
///     if (status == CommandReadStatus.NeedMoreData) break;
///     if (status == CommandReadStatus.LineTooLong) { write SmtpReplies.LineTooLong; continue; }
///     execute cmd (for DATA/BDAT go on with the data readers over the same reader)
/// }
/// input.AdvanceTo(reader.Position, result.Buffer.End);   // flush the replies once here
/// </code>
/// </remarks>
public static class SmtpCommandReader
{
    /// <summary>Longest accepted command line in octets, including the terminating CRLF.</summary>
    public const int MaxLineLength = 2048;

    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    /// <summary>
    /// Reads one command line from <paramref name="reader"/> and parses it.
    /// </summary>
    /// <param name="reader">Positioned at the next unread byte; advanced past what was consumed.</param>
    /// <param name="state">The connection's reader state.</param>
    /// <param name="command">The command when the result is <see cref="CommandReadStatus.Command"/>.</param>
    public static CommandReadStatus TryReadCommand(ref SequenceReader<byte> reader, CommandReaderState state, out SmtpCommand command)
    {
        ArgumentNullException.ThrowIfNull(state);

        // Fast path: the whole line is in the current segment.
        if (!state.DiscardingLongLine)
        {
            var span = reader.UnreadSpan;
            int end = span[..Math.Min(span.Length, MaxLineLength)].IndexOf(Crlf);
            if (end >= 0)
            {
                command = Parse(span[..end]);
                reader.Advance(end + 2);
                return CommandReadStatus.Command;
            }

            if (span.Length == reader.Remaining && span.Length < MaxLineLength)
            {
                command = default;
                return CommandReadStatus.NeedMoreData; // all that is buffered, and no line end yet
            }
        }

        var status = TryReadLine(ref reader, state, out var line);
        if (status != CommandReadStatus.Command)
        {
            command = default;
            return status;
        }

        if (line.IsSingleSegment)
        {
            command = Parse(line.FirstSpan);
        }
        else
        {
            Span<byte> copy = stackalloc byte[MaxLineLength];
            line.CopyTo(copy);
            command = Parse(copy[..(int)line.Length]);
        }

        return CommandReadStatus.Command;
    }

    /// <summary>
    /// Reads one raw CRLF-terminated line (without its CRLF) under the same rules as commands,
    /// e.g. for the SASL responses that follow a <c>334</c>. The slice points into the input: use it
    /// before advancing the pipe.
    /// </summary>
    /// <param name="reader">Positioned at the next unread byte; advanced past what was consumed.</param>
    /// <param name="state">The connection's reader state.</param>
    /// <param name="line">The line without its CRLF when the result is <see cref="CommandReadStatus.Command"/>.</param>
    /// <param name="maxLength">Longest line accepted, CRLF included. RFC 4954 4 asks for 12288 on SASL
    /// response lines (OAuth tokens are long); commands use <see cref="MaxLineLength"/>.</param>
    public static CommandReadStatus TryReadLine(ref SequenceReader<byte> reader, CommandReaderState state, out ReadOnlySequence<byte> line, int maxLength = MaxLineLength)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 3);
        line = default;
        if (state.DiscardingLongLine)
        {
            if (!SkipRestOfLine(ref reader))
            {
                return CommandReadStatus.NeedMoreData;
            }

            state.DiscardingLongLine = false;
        }

        var unread = reader.UnreadSequence;
        long window = Math.Min(unread.Length, maxLength);
        var scan = new SequenceReader<byte>(unread.Slice(0, window));
        if (scan.TryReadTo(out line, Crlf, advancePastDelimiter: true))
        {
            reader.Advance(scan.Consumed);
            return CommandReadStatus.Command;
        }

        if (unread.Length < maxLength)
        {
            return CommandReadStatus.NeedMoreData;
        }

        // No CRLF within the first maxLength octets: the line is too long. Consume all but the
        // last octet seen (it may be the CR of the CRLF) and discard the rest as it arrives.
        reader.Advance(maxLength - 1);
        state.DiscardingLongLine = true;
        return CommandReadStatus.LineTooLong;
    }

    /// <summary>Consumes up to and including the next CRLF; false (having consumed all but a trailing CR) when none is buffered.</summary>
    private static bool SkipRestOfLine(ref SequenceReader<byte> reader)
    {
        if (reader.TryReadTo(out ReadOnlySequence<byte> _, Crlf, advancePastDelimiter: true))
        {
            return true;
        }

        // No CRLF buffered: consume everything except a trailing CR, which may be the start of one.
        long remaining = reader.Remaining;
        if (remaining > 0)
        {
            var last = reader.UnreadSequence.Slice(remaining - 1);
            reader.Advance(last.FirstSpan[0] == (byte)'\r' ? remaining - 1 : remaining);
        }

        return false;
    }

    /// <summary>Parses one command line given without its CRLF. Allocates only the kept strings.</summary>
    public static SmtpCommand Parse(ReadOnlySpan<byte> line)
    {
        int verbEnd = line.IndexOfAny((byte)' ', (byte)'\r', (byte)'\n');
        var verb = MatchVerb(verbEnd < 0 ? line : line[..verbEnd]);
        if (verb == SmtpVerb.Unknown)
        {
            return SmtpCommand.Failed(SmtpVerb.Unknown, SmtpCommandError.UnknownCommand);
        }

        if (verbEnd >= 0 && line[verbEnd..].IndexOfAny((byte)'\r', (byte)'\n') >= 0)
        {
            return SmtpCommand.Failed(verb, SmtpCommandError.Syntax); // a bare CR or LF inside the line
        }

        var args = verbEnd < 0 ? [] : line[(verbEnd + 1)..];

        switch (verb)
        {
            case SmtpVerb.Ehlo:
            case SmtpVerb.Helo:
            case SmtpVerb.Lhlo:
                return ParseHelo(verb, args);
            case SmtpVerb.Mail:
                return ParseMailOrRcpt(verb, args, "FROM:"u8);
            case SmtpVerb.Rcpt:
                return ParseMailOrRcpt(verb, args, "TO:"u8);
            case SmtpVerb.Data:
            case SmtpVerb.Rset:
            case SmtpVerb.Quit:
            case SmtpVerb.StartTls:
                return TrimWhitespace(args).IsEmpty
                    ? new SmtpCommand { Verb = verb }
                    : SmtpCommand.Failed(verb, SmtpCommandError.Syntax);
            case SmtpVerb.Noop:
                return new SmtpCommand { Verb = verb };
            case SmtpVerb.Help:
                args = TrimWhitespace(args);
                return new SmtpCommand { Verb = verb, Argument = args.IsEmpty ? null : Encoding.UTF8.GetString(args) };
            case SmtpVerb.Vrfy:
            case SmtpVerb.Expn:
                args = TrimWhitespace(args);
                return args.IsEmpty
                    ? SmtpCommand.Failed(verb, SmtpCommandError.Syntax)
                    : new SmtpCommand { Verb = verb, Argument = Encoding.UTF8.GetString(args) };
            case SmtpVerb.Bdat:
                return ParseBdat(args);
            case SmtpVerb.Auth:
                return ParseAuth(args);
            default:
                return SmtpCommand.Failed(verb, SmtpCommandError.UnknownCommand);
        }
    }

    internal static SmtpVerb MatchVerb(ReadOnlySpan<byte> verb)
    {
        const uint lower4 = 0x20202020;
        if (verb.Length == 4)
        {
            // Setting bit 5 lower-cases letters and maps no non-letter onto a letter, so a match is exact.
            return (BinaryPrimitives.ReadUInt32LittleEndian(verb) | lower4) switch
            {
                0x6f6c6865 => SmtpVerb.Ehlo, // "ehlo"
                0x6f6c6568 => SmtpVerb.Helo,
                0x6c69616d => SmtpVerb.Mail,
                0x74706372 => SmtpVerb.Rcpt,
                0x61746164 => SmtpVerb.Data,
                0x74657372 => SmtpVerb.Rset,
                0x706f6f6e => SmtpVerb.Noop,
                0x74697571 => SmtpVerb.Quit,
                0x79667276 => SmtpVerb.Vrfy,
                0x6e707865 => SmtpVerb.Expn,
                0x706c6568 => SmtpVerb.Help,
                0x74616462 => SmtpVerb.Bdat,
                0x68747561 => SmtpVerb.Auth,
                0x6f6c686c => SmtpVerb.Lhlo, // "lhlo"
                _ => SmtpVerb.Unknown,
            };
        }

        if (verb.Length == 8 && (BinaryPrimitives.ReadUInt64LittleEndian(verb) | 0x2020202020202020UL) == 0x736c747472617473UL)
        {
            return SmtpVerb.StartTls; // "starttls"
        }

        return SmtpVerb.Unknown;
    }

    private static SmtpCommand ParseHelo(SmtpVerb verb, ReadOnlySpan<byte> args)
    {
        args = TrimWhitespace(args);
        if (args.IsEmpty)
        {
            return SmtpCommand.Failed(verb, SmtpCommandError.Syntax);
        }

        int end = args.IndexOfAny((byte)' ', (byte)'\t');
        var name = end < 0 ? args : args[..end];
        if (name.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0 || name.Contains((byte)0x7F)
            || (!Ascii.IsValid(name) && !SmtpSyntax.IsHeaderSafeUtf8(name)))
        {
            // Never part of a domain or literal, and the name goes into the Received header.
            return SmtpCommand.Failed(verb, SmtpCommandError.Syntax);
        }

        return new SmtpCommand
        {
            Verb = verb,
            Domain = Encoding.UTF8.GetString(name),
            DomainKind = SmtpSyntax.ClassifyHeloName(name),
        };
    }

    private static SmtpCommand ParseMailOrRcpt(SmtpVerb verb, ReadOnlySpan<byte> args, ReadOnlySpan<byte> prefix)
    {
        bool isMail = verb == SmtpVerb.Mail;
        if (args.Length < prefix.Length || !Ascii.EqualsIgnoreCase(args[..prefix.Length], prefix))
        {
            return SmtpCommand.Failed(verb, SmtpCommandError.Syntax);
        }

        // RFC 5321 has no space after the colon; many clients send one. Accept it.
        var rest = args[prefix.Length..].TrimStart((byte)' ');
        if (rest.IsEmpty)
        {
            return SmtpCommand.Failed(verb, SmtpCommandError.Syntax);
        }

        var addressError = isMail ? SmtpCommandError.BadSenderAddress : SmtpCommandError.BadRecipientAddress;
        int consumed = SmtpSyntax.ParsePath(rest, isMail, out var path);
        if (consumed < 0)
        {
            return SmtpCommand.Failed(verb, addressError);
        }

        rest = rest[consumed..];
        if (!rest.IsEmpty && rest[0] != (byte)' ')
        {
            return SmtpCommand.Failed(verb, SmtpCommandError.Syntax);
        }

        var command = new SmtpCommand { Verb = verb, Path = path };
        var parameters = default(EsmtpParameters);
        var error = EsmtpParameterParser.Parse(rest, isMail, ref parameters, out var errorParameter);
        if (error != SmtpCommandError.None)
        {
            return SmtpCommand.Failed(verb, error, errorParameter);
        }

        command.Parameters = parameters;
        return command;
    }

    private static SmtpCommand ParseBdat(ReadOnlySpan<byte> args)
    {
        args = TrimWhitespace(args);
        int space = args.IndexOf((byte)' ');
        var size = space < 0 ? args : args[..space];
        var rest = space < 0 ? [] : args[(space + 1)..].TrimStart((byte)' ');
        if (!SmtpSyntax.TryParseDigits(size, maxDigits: 18, out long chunkSize))
        {
            return SmtpCommand.Failed(SmtpVerb.Bdat, SmtpCommandError.Syntax);
        }

        bool last = false;
        if (!rest.IsEmpty)
        {
            if (!Ascii.EqualsIgnoreCase(rest, "LAST"u8))
            {
                return SmtpCommand.Failed(SmtpVerb.Bdat, SmtpCommandError.Syntax);
            }

            last = true;
        }

        return new SmtpCommand { Verb = SmtpVerb.Bdat, ChunkSize = chunkSize, IsLastChunk = last };
    }

    private static SmtpCommand ParseAuth(ReadOnlySpan<byte> args)
    {
        args = TrimWhitespace(args);
        int space = args.IndexOf((byte)' ');
        var mechanism = space < 0 ? args : args[..space];
        var rest = space < 0 ? [] : args[(space + 1)..].TrimStart((byte)' ');
        if (mechanism.IsEmpty || mechanism.Length > 20 || rest.Contains((byte)' '))
        {
            return SmtpCommand.Failed(SmtpVerb.Auth, SmtpCommandError.Syntax);
        }

        foreach (byte b in mechanism)
        {
            if (!(SmtpSyntax.IsAlphaDigit(b) || b == (byte)'-' || b == (byte)'_'))
            {
                return SmtpCommand.Failed(SmtpVerb.Auth, SmtpCommandError.Syntax);
            }
        }

        return new SmtpCommand
        {
            Verb = SmtpVerb.Auth,
            AuthMechanism = Encoding.ASCII.GetString(mechanism).ToUpperInvariant(),
            Argument = rest.IsEmpty ? null : Encoding.ASCII.GetString(rest),
        };
    }

    private static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> span) => span.Trim(" \t"u8);
}
