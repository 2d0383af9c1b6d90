using System.Buffers;

namespace Sluice.Protocol;

/// <summary>
/// BDAT chunk arithmetic (RFC 3030) for one transaction: after <c>BDAT n [LAST]</c> exactly n octets
/// follow, binary, with no unstuffing. One instance per session.
/// </summary>
/// <remarks>
/// <para>Per transaction: <see cref="Reset"/> at MAIL (and after RSET or the LAST chunk).</para>
/// <para>Per chunk: after a valid BDAT command, <see cref="BeginChunk"/>; then
/// <c>Read(ref reader, sink)</c> over the input until it returns <see cref="DataReadStatus.Completed"/>
/// (a zero-octet chunk completes at once). Then reply: <see cref="ChunkDropped"/> → <c>552 5.3.4</c>;
/// else the LAST chunk → store the message, <c>250 2.0.0 &lt;id&gt;</c>; else <c>250 2.6.0</c>.</para>
/// <para>Size (SPEC §3): the chunk whose octets would take the message past the limit, and every later
/// chunk of the transaction, are read and dropped (nothing of them reaches the output).</para>
/// <para>A BDAT after a refused MAIL/RCPT still carries n octets: the session should call
/// <see cref="BeginChunk"/> with <c>discard: true</c> and read them so the stream stays in sync.</para>
/// </remarks>
public sealed class BdatReader
{
    private ReceivedHeaderCounter _received;

    /// <summary>Creates a reader for messages of at most <paramref name="maxMessageSize"/> octets.</summary>
    public BdatReader(long maxMessageSize = long.MaxValue) => Reset(maxMessageSize);

    /// <summary>The size limit of this transaction's message.</summary>
    public long MaxMessageSize { get; private set; }

    /// <summary>Octets of the message accepted so far (chunks written to the output).</summary>
    public long MessageSize { get; private set; }

    /// <summary>True once a chunk would have passed the limit: it and every later chunk are dropped.</summary>
    public bool TooBig { get; private set; }

    /// <summary>True when the current chunk is being dropped (too big, or discard was asked).</summary>
    public bool ChunkDropped { get; private set; }

    /// <summary>Octets of the current chunk still to read.</summary>
    public long ChunkRemaining { get; private set; }

    /// <summary>True when the current chunk is the LAST one.</summary>
    public bool IsLastChunk { get; private set; }

    /// <summary>Received header fields counted in the header section of the message so far.</summary>
    public int ReceivedHeaderCount => _received.Count;

    /// <summary>Starts a new transaction.</summary>
    public void Reset(long maxMessageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxMessageSize);
        MaxMessageSize = maxMessageSize;
        MessageSize = 0;
        TooBig = false;
        ChunkDropped = false;
        ChunkRemaining = 0;
        IsLastChunk = false;
        _received = default;
    }

    /// <summary>Starts reading a chunk of <paramref name="size"/> octets announced by a BDAT command.</summary>
    /// <param name="size">The BDAT chunk size.</param>
    /// <param name="last">Whether BDAT carried LAST.</param>
    /// <param name="discard">Read and drop this chunk whatever the size (e.g. no valid transaction).</param>
    public void BeginChunk(long size, bool last, bool discard = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (ChunkRemaining != 0)
        {
            throw new InvalidOperationException("The previous chunk has not been read completely.");
        }

        ChunkRemaining = size;
        IsLastChunk = last;
        if (!discard && !TooBig && size > MaxMessageSize - MessageSize)
        {
            TooBig = true;
        }

        ChunkDropped = discard || TooBig;
    }

    /// <summary>
    /// Passes up to <see cref="ChunkRemaining"/> octets from <paramref name="input"/> to
    /// <paramref name="output"/> (null, or a dropped chunk: consume only).
    /// </summary>
    public DataReadStatus Read(ref SequenceReader<byte> input, IBufferWriter<byte>? output)
    {
        while (ChunkRemaining > 0 && !input.End)
        {
            var span = input.UnreadSpan;
            int n = (int)Math.Min(span.Length, ChunkRemaining);
            Write(span[..n], output);
            input.Advance(n);
        }

        return ChunkRemaining == 0 ? DataReadStatus.Completed : DataReadStatus.NeedMoreData;
    }

    /// <summary>Span form: consumes up to <see cref="ChunkRemaining"/> octets of <paramref name="input"/>.</summary>
    public DataReadStatus Read(ReadOnlySpan<byte> input, IBufferWriter<byte>? output, out int consumed)
    {
        consumed = (int)Math.Min(input.Length, ChunkRemaining);
        Write(input[..consumed], output);
        return ChunkRemaining == 0 ? DataReadStatus.Completed : DataReadStatus.NeedMoreData;
    }

    private void Write(ReadOnlySpan<byte> bytes, IBufferWriter<byte>? output)
    {
        ChunkRemaining -= bytes.Length;
        if (ChunkDropped || bytes.IsEmpty)
        {
            return;
        }

        MessageSize += bytes.Length;
        output?.Write(bytes);
        if (!_received.HeadersComplete)
        {
            _received.Feed(bytes);
        }
    }
}
