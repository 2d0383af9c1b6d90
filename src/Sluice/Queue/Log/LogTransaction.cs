using System.Runtime.CompilerServices;

namespace Sluice.Queue.Log;

/// <summary>One message being received into the <c>log</c> store. Not thread-safe.</summary>
internal sealed class LogTransaction : PendingRecord, IMessageTransaction
{
    private readonly LogMessageStore _store;
    private readonly LogStagedData _data;
    private State _state;

    public LogTransaction(LogMessageStore store, string id, LogStagedData data)
    {
        _store = store;
        Id = id;
        _data = data;
    }

    private enum State
    {
        Open,
        Committed,
        Failed,
        Disposed,
    }

    public string Id { get; }

    public long Length => _data.Length;

    public override LogStagedData Data => _data;

    // Pooled state machines: the commit waits for the writer's flush on every message.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ThrowIfNotOpen();
        if (data.IsEmpty)
        {
            return;
        }

        try
        {
            await _data.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Fail();
            throw;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogMessageStore.Log.StoreFailed(_store.Logger, Id, ex);
            Fail();
            throw new MessageStoreException($"Cannot stage message {Id}.", ex);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<MessageEnvelope> CommitAsync(MessageEnvelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(envelope.From, nameof(envelope));
        ArgumentNullException.ThrowIfNull(envelope.To, nameof(envelope));
        if (envelope.To.Count == 0)
        {
            throw new ArgumentException("The envelope has no recipient.", nameof(envelope));
        }

        if (envelope.Id.Length != 0 && !string.Equals(envelope.Id, Id, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The envelope's id '{envelope.Id}' is not the transaction's '{Id}'.", nameof(envelope));
        }

        ThrowIfNotOpen();
        cancellationToken.ThrowIfCancellationRequested();
        // The session fills both already: then the envelope is the stored one, not copied per message.
        var stored = envelope.Size == _data.Length && string.Equals(envelope.Id, Id, StringComparison.Ordinal)
            ? envelope
            : envelope with { Id = Id, Size = _data.Length };
        try
        {
            _data.Seal();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogMessageStore.Log.StoreFailed(_store.Logger, Id, ex);
            Fail();
            throw new MessageStoreException($"Cannot stage message {Id}.", ex);
        }

        // Once handed to the writer the record may be written: the wait is not cancellable, so a
        // cancelled session never leaves a message it does not know about.
        var json = EnvelopeJson.RentUtf8Bytes(stored, out var jsonLength);
        SetEnvelope(json, jsonLength);
        try
        {
            await _store.Writer.AppendAsync(this).ConfigureAwait(false);
        }
        catch (MessageStoreException)
        {
            Fail();
            throw;
        }

        _state = State.Committed;
        _data.Dispose();
        LogMessageStore.Log.Committed(_store.Logger, Id, stored.Size);
        return stored;
    }

    public ValueTask DisposeAsync()
    {
        if (_state == State.Open)
        {
            _data.Dispose();
            LogMessageStore.Log.Aborted(_store.Logger, Id);
        }

        _state = State.Disposed;
        return ValueTask.CompletedTask;
    }

    private void ThrowIfNotOpen()
    {
        switch (_state)
        {
            case State.Open:
                return;
            case State.Failed:
                throw new MessageStoreException($"Message {Id} failed earlier and cannot be stored.");
            case State.Committed:
                throw new InvalidOperationException($"Message {Id} is already committed.");
            default:
                throw new ObjectDisposedException(nameof(IMessageTransaction));
        }
    }

    private void Fail()
    {
        _state = State.Failed;
        _data.Dispose();
    }
}
