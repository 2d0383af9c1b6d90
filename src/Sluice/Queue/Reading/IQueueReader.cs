namespace Sluice.Queue;

/// <summary>
/// The read side of a store, for consumers (a host hands each message to its own code) and for the
/// CLI. It may run in another process than the server, while the server writes: it only ever sees
/// complete, committed messages.
/// </summary>
/// <remarks>
/// <para><b>Consuming.</b> Call <see cref="ReadReady"/>, handle each message (read its envelope and
/// <see cref="QueuedMessage.OpenContent"/>), then <see cref="MarkDone"/>. A message not marked done
/// is handed out again by the next <see cref="ReadReady"/>, also after a restart: delivery is
/// at-least-once. Messages held by FUTURERELEASE (<see cref="MessageEnvelope.HoldUntil"/> in the
/// future) are not handed out before their time. One consumer at a time is assumed; two would each
/// see every message (still at-least-once, never lost).</para>
/// </remarks>
public interface IQueueReader
{
    /// <summary>Every message in the store, in order, with its state (queued, held, done).</summary>
    IEnumerable<QueuedMessage> List();

    /// <summary>The messages to deliver now, in order: not done and not held.</summary>
    IEnumerable<QueuedMessage> ReadReady() => List().Where(m => m.State == QueuedMessageState.Queued);

    /// <summary>
    /// Records that the consumer is done with <paramref name="message"/> (durably, before it returns)
    /// and frees what no message needs any more.
    /// </summary>
    void MarkDone(QueuedMessage message);
}

/// <summary>Where a message stands (SPEC §2.9's <c>queue list</c> states).</summary>
public enum QueuedMessageState
{
    /// <summary>Waiting for a consumer.</summary>
    Queued,

    /// <summary>A FUTURERELEASE hold is in the future.</summary>
    Held,

    /// <summary>A consumer marked it done.</summary>
    Done,
}

/// <summary>One stored message as a reader sees it.</summary>
public sealed class QueuedMessage
{
    private readonly Func<Stream> _open;

    public QueuedMessage(MessageEnvelope envelope, byte[] envelopeJson, QueuedMessageState state, Func<Stream> open, object location)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        Envelope = envelope;
        EnvelopeJson = envelopeJson;
        State = state;
        _open = open;
        Location = location;
    }

    public string Id => Envelope.Id;

    public MessageEnvelope Envelope { get; }

    /// <summary>The envelope exactly as stored (the <c>.json</c> bytes).</summary>
    public byte[] EnvelopeJson { get; }

    public QueuedMessageState State { get; }

    /// <summary>Where the store keeps it (the reader's own business).</summary>
    internal object Location { get; }

    /// <summary>A stream of the message's bytes (the <c>.eml</c>); the caller disposes it.</summary>
    public Stream OpenContent() => _open();
}
