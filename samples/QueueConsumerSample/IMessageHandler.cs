using Sluice.Queue;

namespace QueueConsumerSample;

/// <summary>The host's own code that takes each message out of the queue (deliver, forward, file it...).</summary>
public interface IMessageHandler
{
    /// <summary>Handles one message. Throwing leaves it in the queue: it is handed out again later.</summary>
    Task HandleAsync(QueuedMessage message, CancellationToken cancellationToken);
}
