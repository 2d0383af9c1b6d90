using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sluice.Queue.Log;

/// <summary>
/// Starts the <c>log</c> store with the host, so that recovery (and its report of a torn tail) runs
/// at start-up rather than at the first message (when the directory exists: otherwise there is
/// nothing to recover, and the first message creates it). A directory that cannot be used now is logged, not
/// fatal: readiness reports it and the first message tries again.
/// </summary>
internal sealed partial class LogQueueStartup(IMessageStore store, ILogger<LogQueueStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Nothing to recover in a directory that does not exist yet: the first message creates it.
        if (store is LogMessageStore log && Directory.Exists(log.DirectoryPath))
        {
            try
            {
                log.Initialize();
                if (log.Recovery is { } report && (report.TornTails.Count > 0 || report.SegmentsSealed > 0 || report.SegmentsDeleted > 0))
                {
                    Log.Recovered(logger, report.SegmentsSealed, report.TornTails.Count, report.SegmentsDeleted);
                }
            }
            catch (MessageStoreException ex)
            {
                Log.NotReady(logger, ex);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 3241, Level = LogLevel.Information, Message = "Queue recovery: sealed {SealedCount} segments of stopped writers, cut {Torn} torn tails, deleted {Deleted} empty segments.")]
        public static partial void Recovered(ILogger logger, int sealedCount, int torn, int deleted);

        [LoggerMessage(EventId = 3242, Level = LogLevel.Error, Message = "The queue could not be started; the first message will try again.")]
        public static partial void NotReady(ILogger logger, Exception exception);
    }
}
