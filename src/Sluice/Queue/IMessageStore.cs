namespace Sluice.Queue;

/// <summary>
/// Where accepted messages go (SPEC §2.9). A host may replace the built-in stores with its own.
/// </summary>
/// <remarks>
/// <para>How the SMTP session uses a store, for one message:</para>
/// <code>
/// await using var tx = await store.BeginAsync(ct);        // id reserved: tx.Id goes into Received
/// await tx.WriteAsync(addedHeaders, ct);                  // then every DATA/BDAT chunk as it arrives
/// await tx.WriteAsync(chunk, ct);                         // (never the whole message in memory)
/// var stored = await tx.CommitAsync(envelope, ct);        // durable when this returns
/// // reply "250 2.0.0 ... {tx.Id}"
/// </code>
/// <para>Disposing a transaction that was not committed aborts it and removes what it staged.
/// Any <see cref="MessageStoreException"/> (from <see cref="BeginAsync"/>, <see cref="IMessageTransaction.WriteAsync"/>
/// or <see cref="IMessageTransaction.CommitAsync"/>) maps to <c>452 4.3.1</c>.</para>
/// <para>Implementations must be safe for many concurrent transactions; one transaction is used by one
/// session at a time and is not thread-safe.</para>
/// </remarks>
public interface IMessageStore
{
    /// <summary>
    /// Reserves a new unique message id and opens a staging area for the message's bytes.
    /// </summary>
    /// <exception cref="MessageStoreException">The store cannot take a message now.</exception>
    ValueTask<IMessageTransaction> BeginAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Whether the storage has at least <paramref name="minimumBytes"/> free
    /// (<c>queue.min-free-space</c>): the session answers <c>452 4.3.1</c> and <c>/readyz</c> 503 when not.
    /// A store that cannot tell answers <see langword="true"/>. Never throws.
    /// </summary>
    bool HasFreeSpace(long minimumBytes) => true;
}

/// <summary>
/// One message being stored. Write its bytes (in as many calls as needed), then commit it with its
/// envelope. Disposing without a successful commit aborts: the staged data is removed.
/// </summary>
public interface IMessageTransaction : IAsyncDisposable
{
    /// <summary>The message id (1–64 of <c>[A-Za-z0-9_-]</c>), known before any data is written.</summary>
    string Id { get; }

    /// <summary>The number of bytes written so far; after commit, the stored size.</summary>
    long Length { get; }

    /// <summary>
    /// Appends bytes to the message. The data is copied or written before the call completes, so the
    /// caller may reuse <paramref name="data"/>'s buffer afterwards.
    /// </summary>
    /// <exception cref="MessageStoreException">The bytes could not be staged. The transaction is failed:
    /// its staged data is already removed, and later writes and the commit throw again.
    /// The session should drain the rest of the DATA and answer <c>452 4.3.1</c>.</exception>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the message durable and visible with <paramref name="envelope"/>. When this returns, the
    /// message survives a crash (given <c>queue.fsync = true</c>), so the 250 may be sent.
    /// The store fills <see cref="MessageEnvelope.Id"/> and <see cref="MessageEnvelope.Size"/>
    /// and returns the envelope as stored.
    /// </summary>
    /// <exception cref="MessageStoreException">The message could not be stored; nothing of it is visible.</exception>
    /// <exception cref="ArgumentException">The envelope is not valid (no recipient, another id).</exception>
    /// <exception cref="InvalidOperationException">The transaction was already committed.</exception>
    ValueTask<MessageEnvelope> CommitAsync(MessageEnvelope envelope, CancellationToken cancellationToken);
}
