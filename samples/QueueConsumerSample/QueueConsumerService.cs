using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sluice.Queue;

namespace QueueConsumerSample;

/// <summary>
/// Polls the queue: hands every ready message (in order; held ones wait for their time) to the
/// <see cref="IMessageHandler"/>, then marks it done. A message whose handler failed, or that was
/// being handled when the process stopped, is handed out again: at-least-once.
/// </summary>
public sealed partial class QueueConsumerService(
    IQueueReader queue,
    IMessageHandler handler,
    ConsumerOptions options,
    IHostApplicationLifetime lifetime,
    ILogger<QueueConsumerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.PollInterval);
        do
        {
            var handled = 0;
            foreach (var message in queue.ReadReady())
            {
                stoppingToken.ThrowIfCancellationRequested();
                try
                {
                    await handler.HandleAsync(message, stoppingToken);
                    queue.MarkDone(message);
                    handled++;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.HandlerFailed(logger, message.Id, ex);
                }
            }

            Log.Pass(logger, handled);
            if (options.Once)
            {
                lifetime.StopApplication();
                return;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Message {Id} could not be handled; it stays queued.")]
        public static partial void HandlerFailed(ILogger logger, string id, Exception exception);

        [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Handled {Count} messages.")]
        public static partial void Pass(ILogger logger, int count);
    }
}

/// <summary>How the consumer runs.</summary>
public sealed record ConsumerOptions(TimeSpan PollInterval, bool Once);
