using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sluice.Queue.Log;

/// <summary>
/// The <c>log</c> store (SPEC §2.9): messages and their envelopes are appended to segment files by a
/// single writer with group commit (see <see cref="LogWriter"/>, record format in <see cref="LogFormat"/>).
/// </summary>
/// <remarks>
/// <para><b>A message's way.</b> <see cref="BeginAsync"/> draws the id; the bytes are staged as they
/// arrive (memory up to <see cref="LogMessageStoreOptions.SpillThreshold"/>, then a staging file);
/// the commit hands envelope and bytes to the writer thread and waits until a flush covered them.</para>
/// <para><b>Sharing a directory.</b> Each store instance is one writer with its own id: it holds
/// <c>&lt;writer&gt;.lock</c> while it lives and appends only to its own segments, so several
/// processes (replicas on one volume) can share a directory. Message ids carry 80 random bits.</para>
/// <para><b>Start.</b> <see cref="Initialize"/> (or the first <see cref="BeginAsync"/>) creates the
/// directory, takes the writer's lock, repairs and seals the segments of dead writers (truncating a
/// torn tail, which it logs: <see cref="LogRecovery"/>) and removes stale staging files.</para>
/// <para><b>Stop.</b> <see cref="Dispose"/> writes what is pending, seals the current segment and
/// releases the lock.</para>
/// </remarks>
public sealed partial class LogMessageStore : IMessageStore, IDisposable
{
    private const int MaxIdAttempts = 8;

    private readonly IQueueFileSystem _fileSystem;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _initializeLock = new();
    private LogWriter? _writer;
    private IDisposable? _writerLock;
    private volatile bool _initialized;
    private bool _disposed;

    /// <summary>Creates the store. No I/O happens until <see cref="Initialize"/> or the first <see cref="BeginAsync"/>.</summary>
    public LogMessageStore(
        LogMessageStoreOptions options,
        IQueueFileSystem? fileSystem = null,
        TimeProvider? timeProvider = null,
        ILogger<LogMessageStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path);
        Options = options;
        DirectoryPath = System.IO.Path.GetFullPath(options.Path);
        _fileSystem = fileSystem ?? PhysicalQueueFileSystem.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        Logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The settings the store was made with.</summary>
    public LogMessageStoreOptions Options { get; }

    /// <summary>The full path of the queue directory.</summary>
    public string DirectoryPath { get; }

    /// <summary>This writer's id (names its segments); empty before <see cref="Initialize"/>.</summary>
    public string WriterId { get; private set; } = "";

    /// <summary>What the start-up recovery did; null before <see cref="Initialize"/>.</summary>
    internal LogRecovery.Report? Recovery { get; private set; }

    /// <summary>How many group-commit flushes the writer did.</summary>
    public long Flushes => _writer?.Flushes ?? 0;

    internal ILogger Logger { get; }

    /// <summary>
    /// How much of <paramref name="segmentPath"/> a reader in this process may show: up to the last
    /// flush when this store is writing it (records beyond are not committed yet), all of it otherwise.
    /// </summary>
    public long VisibleLength(string segmentPath) => _writer?.DurableLength(segmentPath) ?? long.MaxValue;

    internal LogWriter Writer => _writer ?? throw new ObjectDisposedException(nameof(LogMessageStore));

    /// <summary>Prepares the directory, takes the writer's lock, recovers dead writers' segments and starts the writer. Runs once.</summary>
    /// <exception cref="MessageStoreException">The directory cannot be used.</exception>
    public void Initialize()
    {
        if (_initialized)
        {
            return;
        }

        lock (_initializeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_initialized)
            {
                return;
            }

            try
            {
                _fileSystem.CreateDirectory(DirectoryPath);
                var writerId = MessageId.Create(_timeProvider.GetUtcNow());
                _writerLock = _fileSystem.TryLock(System.IO.Path.Combine(DirectoryPath, LogSegmentNames.Lock(writerId)))
                    ?? throw new IOException("The new writer id is locked by another process.");
                Recovery = new LogRecovery(_fileSystem, DirectoryPath, Options.Fsync, Logger).Run(writerId);
                RemoveStaleStagingFiles();
                WriterId = writerId;
                _writer = new LogWriter(_fileSystem, DirectoryPath, writerId, Options, Logger);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _writerLock?.Dispose();
                _writerLock = null;
                Log.DirectoryUnavailable(Logger, DirectoryPath, ex);
                throw new MessageStoreException($"The queue directory '{DirectoryPath}' cannot be used.", ex);
            }

            _initialized = true;
        }
    }

    /// <inheritdoc/>
    public ValueTask<IMessageTransaction> BeginAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Initialize();
        var id = MessageId.Create(_timeProvider.GetUtcNow());
        var data = new LogStagedData(_fileSystem, DirectoryPath, id, Options.SpillThreshold);
        return ValueTask.FromResult<IMessageTransaction>(new LogTransaction(this, id, data));
    }

    /// <inheritdoc/>
    public bool HasFreeSpace(long minimumBytes)
    {
        try
        {
            var path = DirectoryPath;
            while (!Directory.Exists(path) && System.IO.Path.GetDirectoryName(path) is { } parent)
            {
                path = parent;
            }

            return _fileSystem.GetAvailableFreeSpace(path) >= minimumBytes;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            Log.FreeSpaceUnknown(Logger, DirectoryPath, ex);
            return false;
        }
    }

    /// <summary>Writes what is pending, seals the current segment and releases the writer's lock.</summary>
    public void Dispose()
    {
        lock (_initializeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _writer?.Dispose();
            if (_writerLock is not null)
            {
                try
                {
                    // Every segment of this writer is sealed now: nobody needs the lock file again.
                    _fileSystem.Delete(System.IO.Path.Combine(DirectoryPath, LogSegmentNames.Lock(WriterId)));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Log.DirectoryUnavailable(Logger, DirectoryPath, ex);
                }

                _writerLock.Dispose();
            }
        }
    }

    private void RemoveStaleStagingFiles()
    {
        var cutoff = _timeProvider.GetUtcNow().UtcDateTime - Options.StaleFileAge;
        foreach (var path in _fileSystem.EnumerateFiles(DirectoryPath).ToList())
        {
            if (path.EndsWith(LogSegmentNames.StagingSuffix, StringComparison.Ordinal)
                && _fileSystem.GetLastWriteTimeUtc(path) < cutoff)
            {
                _fileSystem.Delete(path);
            }
        }
    }

    internal static partial class Log
    {
        [LoggerMessage(EventId = 3221, Level = LogLevel.Debug, Message = "Message {MessageId} stored in the log ({Size} bytes).")]
        public static partial void Committed(ILogger logger, string messageId, long size);

        [LoggerMessage(EventId = 3222, Level = LogLevel.Debug, Message = "Message {MessageId} aborted; its staged data was removed.")]
        public static partial void Aborted(ILogger logger, string messageId);

        [LoggerMessage(EventId = 3223, Level = LogLevel.Error, Message = "Message {MessageId} could not be staged.")]
        public static partial void StoreFailed(ILogger logger, string messageId, Exception exception);

        [LoggerMessage(EventId = 3224, Level = LogLevel.Error, Message = "The queue directory {Directory} cannot be used.")]
        public static partial void DirectoryUnavailable(ILogger logger, string directory, Exception exception);

        [LoggerMessage(EventId = 3225, Level = LogLevel.Warning, Message = "Cannot read the free space of the queue directory {Directory}.")]
        public static partial void FreeSpaceUnknown(ILogger logger, string directory, Exception exception);
    }
}
