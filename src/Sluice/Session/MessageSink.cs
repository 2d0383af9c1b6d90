using System.Buffers;
using Sluice.Queue;
using System.Runtime.CompilerServices;

namespace Sluice.Session;

/// <summary>
/// Where the DATA and BDAT readers write the message. It holds back the header section (up to
/// <see cref="MaxHeaderBuffer"/>) so that the headers Sluice adds can go on top and Message-ID / Date
/// can be added only when missing; after that it passes the body through to the store in blocks,
/// never holding the whole message. A store failure is remembered and later bytes are dropped, so
/// the session can keep reading to the end of the message and then answer 452 4.3.1.
/// When a DATA-stage script needs the message (hold mode), nothing goes to the store until the
/// stage is done: every byte is kept, up to <see cref="HoldMemoryLimit"/> in memory and the rest in a
/// temporary file in the queue directory, and <see cref="WriteHeldAsync"/> then writes the original
/// or the edited message.
/// </summary>
internal sealed class MessageSink : IBufferWriter<byte>, IDisposable
{
    /// <summary>A header section longer than this is passed on without looking for Message-ID and Date.</summary>
    public const int MaxHeaderBuffer = 256 * 1024;

    /// <summary>In hold mode, bytes kept in memory before they go to a temporary file.</summary>
    public const int HoldMemoryLimit = 1024 * 1024;

    private const int BlockSize = 64 * 1024;

    private string? _holdDirectory;
    private FileStream? _spill;
    private byte[]? _heldBytes;

    private byte[] _buffer = [];
    private int _written;
    private bool _inHeaders;
    private int _headerScanFrom;
    private IMessageTransaction? _transaction;
    private TraceHeaders.Request _topHeaders;

    /// <summary>Where the headers put on top are written: a pooled array, only while they are written.</summary>
    private readonly PooledBufferWriter _topBuffer = new();

    /// <summary>True once the store refused a write: the message cannot be accepted.</summary>
    public bool Failed { get; private set; }

    /// <summary>Starts a message. <paramref name="topHeaders"/> says what to put on top, written once it is known
    /// whether the message has its own Message-ID and Date.</summary>
    /// <param name="holdDirectory">When not null, hold the whole message (spilling to a temporary file in this directory) instead of streaming it.</param>
    public void Begin(IMessageTransaction transaction, in TraceHeaders.Request topHeaders, string? holdDirectory = null)
    {
        _holdDirectory = holdDirectory;
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
    // Pooled state machines: a store that writes asynchronously (files) makes these wait per block.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushAsync(bool final, CancellationToken cancellationToken)
    {
        if (_transaction is null)
        {
            return;
        }
        if (IsHolding)
        {
            if (_written >= HoldMemoryLimit && !Failed)
            {
                await SpillAsync(cancellationToken);
            }
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
            await WriteTopHeadersAsync(facts, cancellationToken);
        }
        if (_written >= BlockSize || (final && _written > 0))
        {
            var length = _written;
            _written = 0;
            await WriteAsync(_buffer.AsMemory(0, length), cancellationToken);
        }
    }

    /// <summary>True while the message is held whole for a DATA-stage script.</summary>
    public bool IsHolding => _holdDirectory is not null && _transaction is not null;

    /// <summary>The held message (hold mode), as received. Read once; later calls return the same array.</summary>
    public async ValueTask<byte[]> ReadHeldAsync(CancellationToken cancellationToken)
    {
        if (_heldBytes is not null)
        {
            return _heldBytes;
        }
        var fileLength = _spill?.Length ?? 0;
        if (fileLength + _written > Array.MaxLength)
        {
            throw new InvalidOperationException("the message is too large to hold in memory");
        }
        var bytes = new byte[fileLength + _written];
        if (_spill is not null)
        {
            _spill.Position = 0;
            await _spill.ReadExactlyAsync(bytes.AsMemory(0, (int)fileLength), cancellationToken);
        }
        _buffer.AsSpan(0, _written).CopyTo(bytes.AsSpan((int)fileLength));
        _heldBytes = bytes;
        return bytes;
    }

    /// <summary>Hold mode: writes the headers Sluice adds and then <paramref name="replacement"/>, or the message
    /// as received when it is null, to the store transaction. Check <see cref="Failed"/> afterwards.</summary>
    public async ValueTask WriteHeldAsync(ReadOnlyMemory<byte>? replacement, CancellationToken cancellationToken)
    {
        var message = replacement ?? await ReadHeldAsync(cancellationToken);
        var span = message.Span;
        var end = span.StartsWith("\r\n"u8) ? 0 : span[..Math.Min(span.Length, MaxHeaderBuffer)].IndexOf("\r\n\r\n"u8);
        var facts = HeaderFacts.Scan(span[..(end < 0 ? Math.Min(span.Length, MaxHeaderBuffer) : end)]);
        await WriteTopHeadersAsync(facts, cancellationToken);
        for (var offset = 0; offset < message.Length && !Failed; offset += BlockSize)
        {
            await WriteAsync(message.Slice(offset, Math.Min(BlockSize, message.Length - offset)), cancellationToken);
        }
    }

    /// <summary>Moves what is buffered to the temporary file (created in the queue directory on first use).</summary>
    private async ValueTask SpillAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_spill is null)
            {
                System.IO.Directory.CreateDirectory(_holdDirectory!);
                var path = Path.Combine(_holdDirectory!, $".hold-{Guid.NewGuid():N}.tmp");
                _spill = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, BlockSize,
                    FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            }
            await _spill.WriteAsync(_buffer.AsMemory(0, _written), cancellationToken);
            _written = 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // As with a store failure: keep reading to the end of the message, then answer 452 4.3.1.
            Failed = true;
            _written = 0;
        }
    }

    /// <summary>Forgets the message (after it was committed or abandoned).</summary>
    public void End()
    {
        _holdDirectory = null;
        _heldBytes = null;
        _spill?.Dispose();
        _spill = null;
        _transaction = null;
        _topHeaders = default;
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
        _spill?.Dispose();
        _spill = null;
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteTopHeadersAsync(HeaderFacts facts, CancellationToken cancellationToken)
    {
        TraceHeaders.Write(_topBuffer, _topHeaders, facts);
        try
        {
            await WriteAsync(_topBuffer.WrittenMemory, cancellationToken);
        }
        finally
        {
            // The store has taken the bytes when the write completes (IMessageTransaction.WriteAsync).
            _topBuffer.Release();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
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
