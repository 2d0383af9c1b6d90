using System.Buffers;
using Sluice.Queue;

namespace Sluice.Session;

/// <summary>
/// Where the DATA and BDAT readers write the message. It holds back the header section (up to
/// <see cref="MaxHeaderBuffer"/>) so that the headers Sluice adds can go on top and Message-ID / Date
/// can be added only when missing; after that it passes the body through to the store in blocks,
/// never holding the whole message. A store failure is remembered and later bytes are dropped, so
/// the session can keep reading to the end of the message and then answer 452 4.3.1.
/// </summary>
internal sealed class MessageSink : IBufferWriter<byte>, IDisposable
{
    /// <summary>A header section longer than this is passed on without looking for Message-ID and Date.</summary>
    public const int MaxHeaderBuffer = 256 * 1024;

    private const int BlockSize = 64 * 1024;

    private byte[] _buffer = [];
    private int _written;
    private bool _inHeaders;
    private int _headerScanFrom;
    private IMessageTransaction? _transaction;
    private Func<HeaderFacts, byte[]>? _topHeaders;

    /// <summary>True once the store refused a write: the message cannot be accepted.</summary>
    public bool Failed { get; private set; }

    /// <summary>Starts a message. <paramref name="topHeaders"/> gives the bytes to put on top, once it is known
    /// whether the message has its own Message-ID and Date.</summary>
    public void Begin(IMessageTransaction transaction, Func<HeaderFacts, byte[]> topHeaders)
    {
        _transaction = transaction;
        _topHeaders = topHeaders;
        _inHeaders = true;
        _headerScanFrom = 0;
        _written = 0;
        Failed = false;
        if (_buffer.Length == 0)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        }
    }

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Hands what is buffered to the store when there is enough of it (or <paramref name="final"/>).</summary>
    public async ValueTask FlushAsync(bool final, CancellationToken cancellationToken)
    {
        if (_transaction is null)
        {
            return;
        }
        if (_inHeaders)
        {
            var end = FindEndOfHeaders();
            if (end < 0 && _written < MaxHeaderBuffer && !final)
            {
                return;
            }
            _inHeaders = false;
            var facts = HeaderFacts.Scan(_buffer.AsSpan(0, end < 0 ? _written : end));
            await WriteAsync(_topHeaders!(facts), cancellationToken);
        }
        if (_written >= BlockSize || (final && _written > 0))
        {
            var length = _written;
            _written = 0;
            await WriteAsync(_buffer.AsMemory(0, length), cancellationToken);
        }
    }

    /// <summary>Forgets the message (after it was committed or abandoned).</summary>
    public void End()
    {
        _transaction = null;
        _topHeaders = null;
        _written = 0;
        if (_buffer.Length > BlockSize)
        {
            // A long header section grew the buffer: give it back rather than keep it per session.
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (Failed || data.IsEmpty)
        {
            return;
        }
        try
        {
            await _transaction!.WriteAsync(data, cancellationToken);
        }
        catch (MessageStoreException)
        {
            Failed = true;
        }
    }

    /// <summary>Offset of the empty line that ends the header section (CRLF CRLF), or -1 if not seen yet.</summary>
    private int FindEndOfHeaders()
    {
        var span = _buffer.AsSpan(0, _written);
        if (span.StartsWith("\r\n"u8))
        {
            return 0;
        }
        var from = Math.Max(0, _headerScanFrom - 3);
        var index = span[from..].IndexOf("\r\n\r\n"u8);
        _headerScanFrom = _written;
        return index < 0 ? -1 : from + index + 2;
    }

    private void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }
        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + sizeHint));
        _buffer.AsSpan(0, _written).CopyTo(grown);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = grown;
    }
}

/// <summary>What the header section of a message already has.</summary>
internal readonly record struct HeaderFacts(bool HasMessageId, bool HasDate)
{
    /// <summary>Looks at the field names at the start of each header line.</summary>
    public static HeaderFacts Scan(ReadOnlySpan<byte> headers)
    {
        bool messageId = false, date = false;
        var lineStart = true;
        for (var i = 0; i < headers.Length; i++)
        {
            if (lineStart)
            {
                var rest = headers[i..];
                messageId |= StartsWithField(rest, "message-id"u8);
                date |= StartsWithField(rest, "date"u8);
            }
            lineStart = headers[i] == (byte)'\n' && i > 0 && headers[i - 1] == (byte)'\r';
        }
        return new HeaderFacts(messageId, date);
    }

    private static bool StartsWithField(ReadOnlySpan<byte> line, ReadOnlySpan<byte> name)
    {
        if (line.Length <= name.Length)
        {
            return false;
        }
        for (var i = 0; i < name.Length; i++)
        {
            if ((line[i] | 0x20) != name[i])
            {
                return false;
            }
        }
        var j = name.Length;
        while (j < line.Length && line[j] is (byte)' ' or (byte)'\t')
        {
            j++;
        }
        return j < line.Length && line[j] == (byte)':';
    }
}
