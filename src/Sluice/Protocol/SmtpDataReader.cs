using System.Buffers;

namespace Sluice.Protocol;

/// <summary>The outcome of a data or chunk read.</summary>
public enum DataReadStatus
{
    /// <summary>Everything given was consumed; the message (or chunk) goes on in later input.</summary>
    NeedMoreData,

    /// <summary>The end was reached: the reader stopped right after it, and what follows is the next command.</summary>
    Completed,
}

/// <summary>
/// The DATA reader: undoes dot-stuffing as bytes arrive and writes the message to an output, never
/// holding the message. One instance per session; <see cref="Reset"/> before each DATA.
/// </summary>
/// <remarks>
/// <para>The data starts right after the CRLF of the DATA command, so that position is a line start.</para>
/// <para>End of data: only CRLF "." CRLF (or "." CRLF at the very start). The CRLF before the dot
/// belongs to the message; the "." CRLF does not.</para>
/// <para>Dot-stuffing (RFC 5321 4.5.2): a "." at the start of a line — after a CRLF, never after a bare
/// CR or bare LF — is removed when the next octet is anything but CR or LF. A line-start "." followed
/// by a bare LF, or by a CR that is not followed by LF, is stored as it came: such sequences
/// (<c>&lt;CRLF&gt;.&lt;LF&gt;</c>, <c>&lt;CRLF&gt;.&lt;CR&gt;x</c>) come only from a client that does not stuff, and
/// keeping them verbatim makes any smuggling attempt visible rather than silently altered. A legitimate
/// client's stuffed <c>..&lt;LF&gt;</c> still unstuffs to <c>.&lt;LF&gt;</c>. Bare CR and bare LF are never line ends.</para>
/// <para>Size: <see cref="MessageSize"/> counts the unstuffed octets. Once it passes the limit nothing
/// more is written and <see cref="TooBig"/> is set, but reading goes on to the terminator so the session
/// can answer <c>552 5.3.4</c> and carry on.</para>
/// <para>Usage: after <c>354</c>, over each buffer the pipe returns:
/// <c>status = dataReader.Read(ref reader, sink)</c>; on <see cref="DataReadStatus.NeedMoreData"/>
/// advance the pipe to <c>reader.Position</c> and read again; on <see cref="DataReadStatus.Completed"/> check
/// <see cref="TooBig"/> and <see cref="ReceivedHeaderCount"/>, reply, and go on parsing commands from
/// the same reader.</para>
/// </remarks>
public sealed class SmtpDataReader
{
    private State _state;
    private ReceivedHeaderCounter _received;

    /// <summary>Creates a reader for a message of at most <paramref name="maxMessageSize"/> octets.</summary>
    public SmtpDataReader(long maxMessageSize = long.MaxValue) => Reset(maxMessageSize);

    private enum State : byte
    {
        LineStart = 0,
        Body,
        Cr,
        Dot,
        DotCr,
        Done,
    }

    /// <summary>The size limit of this message in octets.</summary>
    public long MaxMessageSize { get; private set; }

    /// <summary>Unstuffed octets of the message seen so far (counted past the limit too).</summary>
    public long MessageSize { get; private set; }

    /// <summary>True once the message passed <see cref="MaxMessageSize"/>; the output then holds its first <see cref="MaxMessageSize"/> octets and gets no more.</summary>
    public bool TooBig { get; private set; }

    /// <summary>True once the terminator was read.</summary>
    public bool IsCompleted => _state == State.Done;

    /// <summary>Received header fields counted in the header section (of the part within the limit).</summary>
    public int ReceivedHeaderCount => _received.Count;

    private static ReadOnlySpan<byte> Dot => "."u8;

    private static ReadOnlySpan<byte> DotCr => ".\r"u8;

    /// <summary>Prepares for a new message.</summary>
    public void Reset(long maxMessageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxMessageSize);
        MaxMessageSize = maxMessageSize;
        MessageSize = 0;
        TooBig = false;
        _state = State.LineStart;
        _received = default;
    }

    /// <summary>
    /// Consumes message bytes from <paramref name="input"/> up to and including the terminator,
    /// writing the unstuffed message to <paramref name="output"/> (null: count only).
    /// </summary>
    public DataReadStatus Read(ref SequenceReader<byte> input, IBufferWriter<byte>? output)
    {
        while (!input.End && _state != State.Done)
        {
            var status = Read(input.UnreadSpan, output, out int consumed);
            input.Advance(consumed);
            if (status == DataReadStatus.Completed)
            {
                return status;
            }
        }

        return _state == State.Done ? DataReadStatus.Completed : DataReadStatus.NeedMoreData;
    }

    /// <summary>
    /// Span form of <see cref="Read(ref SequenceReader{byte}, IBufferWriter{byte}?)"/>:
    /// <paramref name="consumed"/> is all of <paramref name="input"/> unless the terminator ends inside it.
    /// </summary>
    public DataReadStatus Read(ReadOnlySpan<byte> input, IBufferWriter<byte>? output, out int consumed)
    {
        if (_state == State.Done)
        {
            consumed = 0;
            return DataReadStatus.Completed;
        }

        int i = 0;
        int emitStart = 0; // start of the run of input bytes not yet written
        while (i < input.Length)
        {
            switch (_state)
            {
                case State.Body:
                    {
                        int cr = input[i..].IndexOf((byte)'\r');
                        if (cr < 0)
                        {
                            i = input.Length;
                        }
                        else
                        {
                            i += cr + 1;
                            _state = State.Cr;
                        }

                        break;
                    }

                case State.Cr:
                    {
                        byte b = input[i++];
                        if (b == (byte)'\n')
                        {
                            _state = State.LineStart;
                        }
                        else if (b != (byte)'\r')
                        {
                            _state = State.Body;
                        }

                        break;
                    }

                case State.LineStart:
                    if (input[i] == (byte)'.')
                    {
                        // Hold the dot back until the next octet says what it is.
                        Emit(input[emitStart..i], output);
                        emitStart = ++i;
                        _state = State.Dot;
                    }
                    else
                    {
                        _state = State.Body;
                    }

                    break;

                case State.Dot:
                    {
                        byte b = input[i];
                        if (b == (byte)'\r')
                        {
                            emitStart = ++i; // hold the CR back too
                            _state = State.DotCr;
                        }
                        else if (b == (byte)'\n')
                        {
                            Emit(Dot, output); // "." + bare LF: kept as it came
                            _state = State.Body;
                        }
                        else
                        {
                            _state = State.Body; // stuffed: the dot stays dropped
                        }

                        break;
                    }

                case State.DotCr:
                    if (input[i] == (byte)'\n')
                    {
                        _state = State.Done;
                        consumed = i + 1;
                        return DataReadStatus.Completed;
                    }

                    Emit(DotCr, output); // "." + bare CR: kept as it came
                    _state = State.Cr;
                    break;
            }
        }

        Emit(input[emitStart..], output);
        consumed = input.Length;
        return DataReadStatus.NeedMoreData;
    }

    private void Emit(ReadOnlySpan<byte> bytes, IBufferWriter<byte>? output)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        MessageSize += bytes.Length;
        if (TooBig)
        {
            return;
        }

        if (MessageSize > MaxMessageSize)
        {
            // Write the octets that still fit, so that the output (and the Received count) is the
            // message's first MaxMessageSize octets however the input was split into reads.
            TooBig = true;
            bytes = bytes[..(int)(bytes.Length - (MessageSize - MaxMessageSize))];
            if (bytes.IsEmpty)
            {
                return;
            }
        }

        output?.Write(bytes);
        if (!_received.HeadersComplete)
        {
            _received.Feed(bytes);
        }
    }
}
