using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sluice.Queue;

/// <summary>
/// The <c>files</c> store (SPEC §2.9): each message becomes <c>&lt;id&gt;.eml</c> (its bytes) and
/// <c>&lt;id&gt;.json</c> (its envelope, <see cref="EnvelopeJson"/>) in one directory. A message exists
/// only when its <c>.json</c> does.
/// </summary>
/// <remarks>
/// <para><b>Commit order.</b> The bytes stream into <c>&lt;id&gt;.eml.tmp</c> (created with
/// <see cref="FileMode.CreateNew"/>, which also reserves the id). <see cref="IMessageTransaction.CommitAsync"/> then:
/// flushes <c>.eml.tmp</c> to disk and closes it; renames it to <c>&lt;id&gt;.eml</c>; fsyncs the directory
/// (so the <c>.eml</c> name is durable before the <c>.json</c> name can be); writes <c>&lt;id&gt;.json.tmp</c>,
/// flushes it to disk and closes it; renames it to <c>&lt;id&gt;.json</c> — last; fsyncs the directory; and
/// only then returns. With <see cref="FilesMessageStoreOptions.Fsync"/> off, the buffers are still pushed
/// to the operating system before each rename but nothing is forced to the disk.</para>
/// <para><b>Failure.</b> Any I/O error throws <see cref="MessageStoreException"/> after deleting what
/// the transaction made: the <c>.json</c> first if it was already renamed, then the <c>.eml</c> and
/// the temporaries. Nothing of a failed message stays visible.</para>
/// <para><b>Leftovers of a crash.</b> Readers ignore <c>*.tmp</c> files and an <c>.eml</c> without its
/// <c>.json</c>: neither is a message. When the store starts (the first <see cref="BeginAsync"/>, or
/// <see cref="Initialize"/>) it deletes such files older than <see cref="FilesMessageStoreOptions.StaleFileAge"/>;
/// younger ones may be another process's message in flight and are left alone.</para>
/// <para><b>Concurrency.</b> Transactions share no lock: each has its own files. Several processes may
/// share one directory: ids carry 80 random bits, and each id is reserved by an exclusive create.</para>
/// </remarks>
public sealed partial class FilesMessageStore : IMessageStore
{
    /// <summary>The extension of a stored message's bytes.</summary>
    public const string EmlExtension = ".eml";

    /// <summary>The extension of a stored message's envelope; its presence makes the message exist.</summary>
    public const string JsonExtension = ".json";

    /// <summary>The suffix of files being written; never part of a message.</summary>
    public const string TemporarySuffix = ".tmp";

    private const int MaxIdAttempts = 8;

    private readonly IQueueFileSystem _fileSystem;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _initializeLock = new();
    private volatile bool _initialized;

    /// <summary>Creates the store. No I/O happens until <see cref="Initialize"/> or the first <see cref="BeginAsync"/>.</summary>
    /// <param name="options">The directory and whether to fsync.</param>
    /// <param name="fileSystem">The file layer; <see cref="PhysicalQueueFileSystem"/> when null.</param>
    /// <param name="timeProvider">The clock for ids and stale-file ages; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Where to log; nothing when null. Message contents are never logged.</param>
    public FilesMessageStore(
        FilesMessageStoreOptions options,
        IQueueFileSystem? fileSystem = null,
        TimeProvider? timeProvider = null,
        ILogger<FilesMessageStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path);
        Options = options;
        DirectoryPath = System.IO.Path.GetFullPath(options.Path);
        _fileSystem = fileSystem ?? PhysicalQueueFileSystem.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The settings the store was made with.</summary>
    public FilesMessageStoreOptions Options { get; }

    /// <summary>The full path of the queue directory.</summary>
    public string DirectoryPath { get; }

    /// <summary>
    /// Creates the directory if missing and deletes stale leftovers of a crash. Runs once; the first
    /// <see cref="BeginAsync"/> calls it if the host did not. Safe to call again.
    /// </summary>
    /// <exception cref="MessageStoreException">The directory cannot be created.</exception>
    public void Initialize()
    {
        if (_initialized)
        {
            return;
        }

        lock (_initializeLock)
        {
            if (_initialized)
            {
                return;
            }

            try
            {
                _fileSystem.CreateDirectory(DirectoryPath);
            }
            catch (Exception ex) when (IsIoFailure(ex))
            {
                Log.DirectoryUnavailable(_logger, DirectoryPath, ex);
                throw new MessageStoreException($"The queue directory '{DirectoryPath}' cannot be created.", ex);
            }

            RemoveStaleFiles();
            _initialized = true;
        }
    }

    /// <inheritdoc/>
    public ValueTask<IMessageTransaction> BeginAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Initialize();

        for (var attempt = 0; attempt < MaxIdAttempts; attempt++)
        {
            var id = MessageId.Create(_timeProvider.GetUtcNow());
            var transaction = new Transaction(this, id);
            Stream stream;
            try
            {
                stream = _fileSystem.CreateNew(transaction.EmlTemporaryPath);
            }
            catch (IOException ex) when (ex is not DirectoryNotFoundException && SafeExists(transaction.EmlTemporaryPath))
            {
                Log.IdCollision(_logger, id);
                continue;
            }
            catch (Exception ex) when (IsIoFailure(ex))
            {
                if (ex is DirectoryNotFoundException)
                {
                    _initialized = false; // removed under us: create it again next time
                }

                Log.StoreFailed(_logger, id, ex);
                throw new MessageStoreException($"Cannot create a message file in '{DirectoryPath}'.", ex);
            }

            // The exclusive create reserves the id against every transaction in flight; a committed
            // message with this id would show as its files.
            if (SafeExists(transaction.EmlPath) || SafeExists(transaction.JsonPath))
            {
                stream.Dispose();
                TryDelete(transaction.EmlTemporaryPath);
                Log.IdCollision(_logger, id);
                continue;
            }

            transaction.Open(stream);
            return ValueTask.FromResult<IMessageTransaction>(transaction);
        }

        throw new MessageStoreException("Cannot reserve a unique message id.");
    }

    /// <summary>
    /// Whether the file system of the queue directory (or of its nearest existing parent, before the
    /// directory is made) has at least <paramref name="minimumBytes"/> available. False when it cannot be read.
    /// </summary>
    public bool HasFreeSpace(long minimumBytes)
    {
        try
        {
            return _fileSystem.GetAvailableFreeSpace(NearestExistingDirectory(DirectoryPath)) >= minimumBytes;
        }
        catch (Exception ex) when (IsIoFailure(ex) || ex is ArgumentException)
        {
            Log.FreeSpaceUnknown(_logger, DirectoryPath, ex);
            return false;
        }
    }

    /// <summary>
    /// Deletes leftovers of a crash older than <see cref="FilesMessageStoreOptions.StaleFileAge"/>:
    /// <c>&lt;id&gt;.eml.tmp</c>, <c>&lt;id&gt;.json.tmp</c>, and <c>&lt;id&gt;.eml</c> without <c>&lt;id&gt;.json</c>.
    /// Other files are never touched. Best effort: errors are logged, not thrown.
    /// </summary>
    /// <returns>How many files were deleted.</returns>
    public int RemoveStaleFiles()
    {
        var removed = 0;
        var cutoff = _timeProvider.GetUtcNow().UtcDateTime - Options.StaleFileAge;
        try
        {
            foreach (var path in _fileSystem.EnumerateFiles(DirectoryPath).ToList())
            {
                if (IsLeftover(System.IO.Path.GetFileName(path))
                    && _fileSystem.GetLastWriteTimeUtc(path) < cutoff
                    && TryDelete(path))
                {
                    removed++;
                }
            }
        }
        catch (Exception ex) when (IsIoFailure(ex))
        {
            Log.StaleCleanupFailed(_logger, DirectoryPath, ex);
        }

        if (removed > 0)
        {
            Log.StaleFilesRemoved(_logger, removed, DirectoryPath);
        }

        return removed;
    }

    private bool IsLeftover(string name)
    {
        if (name.EndsWith(EmlExtension + TemporarySuffix, StringComparison.Ordinal))
        {
            return MessageId.IsValid(name.AsSpan(0, name.Length - EmlExtension.Length - TemporarySuffix.Length));
        }

        if (name.EndsWith(JsonExtension + TemporarySuffix, StringComparison.Ordinal))
        {
            return MessageId.IsValid(name.AsSpan(0, name.Length - JsonExtension.Length - TemporarySuffix.Length));
        }

        if (name.EndsWith(EmlExtension, StringComparison.Ordinal))
        {
            var id = name[..^EmlExtension.Length];
            return MessageId.IsValid(id)
                && !_fileSystem.FileExists(System.IO.Path.Combine(DirectoryPath, id + JsonExtension));
        }

        return false;
    }

    private static string NearestExistingDirectory(string path)
    {
        var current = path;
        while (!Directory.Exists(current))
        {
            var parent = System.IO.Path.GetDirectoryName(current);
            if (parent is null)
            {
                break;
            }

            current = parent;
        }

        return current;
    }

    private bool SafeExists(string path)
    {
        try
        {
            return _fileSystem.FileExists(path);
        }
        catch (Exception ex) when (IsIoFailure(ex))
        {
            return false;
        }
    }

    private bool TryDelete(string path)
    {
        try
        {
            _fileSystem.Delete(path);
            return true;
        }
        catch (Exception ex) when (IsIoFailure(ex))
        {
            Log.DeleteFailed(_logger, path, ex);
            return false;
        }
    }

    private static bool IsIoFailure(Exception ex) => ex is IOException or UnauthorizedAccessException;

    /// <summary>One message being written. Not thread-safe: one session uses it at a time.</summary>
    private sealed class Transaction : IMessageTransaction
    {
        private readonly FilesMessageStore _store;
        private Stream? _data;
        private State _state;
        private bool _emlVisible;
        private bool _jsonTemporaryCreated;
        private bool _jsonVisible;

        public Transaction(FilesMessageStore store, string id)
        {
            _store = store;
            Id = id;
            var basePath = System.IO.Path.Combine(store.DirectoryPath, id);
            EmlPath = basePath + EmlExtension;
            EmlTemporaryPath = EmlPath + TemporarySuffix;
            JsonPath = basePath + JsonExtension;
            JsonTemporaryPath = JsonPath + TemporarySuffix;
        }

        private enum State
        {
            Open,
            Committed,
            Failed,
            Disposed,
        }

        public string Id { get; }

        public long Length { get; private set; }

        public string EmlPath { get; }

        public string EmlTemporaryPath { get; }

        public string JsonPath { get; }

        public string JsonTemporaryPath { get; }

        private IQueueFileSystem FileSystem => _store._fileSystem;

        public void Open(Stream data) => _data = data;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            ThrowIfNotOpen();
            if (data.IsEmpty)
            {
                return;
            }

            try
            {
                await _data!.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                Length += data.Length;
            }
            catch (OperationCanceledException)
            {
                Fail();
                throw;
            }
            catch (Exception ex) when (IsIoFailure(ex))
            {
                Log.StoreFailed(_store._logger, Id, ex);
                Fail();
                throw new MessageStoreException($"Cannot write message {Id}.", ex);
            }
        }

        public ValueTask<MessageEnvelope> CommitAsync(MessageEnvelope envelope, CancellationToken cancellationToken)
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
            var stored = envelope.Size == Length && string.Equals(envelope.Id, Id, StringComparison.Ordinal)
                ? envelope
                : envelope with { Id = Id, Size = Length };
            var fsync = _store.Options.Fsync;
            var directory = _store.DirectoryPath;
            try
            {
                // 1. The bytes: on disk, then under their final name, and that name durable.
                FileSystem.Flush(_data!, fsync);
                _data!.Dispose();
                _data = null;
                FileSystem.Move(EmlTemporaryPath, EmlPath);
                _emlVisible = true;
                if (fsync)
                {
                    FileSystem.FlushDirectory(directory);
                }

                // 2. The envelope: on disk, then renamed last — this rename makes the message exist.
                using (var json = FileSystem.CreateNew(JsonTemporaryPath))
                {
                    _jsonTemporaryCreated = true;
                    EnvelopeJson.Write(json, stored);
                    FileSystem.Flush(json, fsync);
                }

                FileSystem.Move(JsonTemporaryPath, JsonPath);
                _jsonVisible = true;
                _jsonTemporaryCreated = false;

                // 3. Both names durable before the caller may say 250.
                if (fsync)
                {
                    FileSystem.FlushDirectory(directory);
                }
            }
            catch (Exception ex) when (IsIoFailure(ex))
            {
                Log.StoreFailed(_store._logger, Id, ex);
                Fail();
                throw new MessageStoreException($"Cannot store message {Id}.", ex);
            }

            _state = State.Committed;
            Log.Committed(_store._logger, Id, Length);
            return ValueTask.FromResult(stored);
        }

        public ValueTask DisposeAsync()
        {
            if (_state == State.Open)
            {
                RemoveStaged();
                Log.Aborted(_store._logger, Id);
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
            RemoveStaged();
        }

        /// <summary>Deletes everything this transaction made, the visible envelope first.</summary>
        private void RemoveStaged()
        {
            if (_data is not null)
            {
                try
                {
                    _data.Dispose();
                }
                catch (Exception ex) when (IsIoFailure(ex))
                {
                    // Closing may try to write the buffered rest and fail again; the file goes anyway.
                    Log.DeleteFailed(_store._logger, EmlTemporaryPath, ex);
                }

                _data = null;
            }

            var wasVisible = _jsonVisible;
            if (_jsonVisible && _store.TryDelete(JsonPath))
            {
                _jsonVisible = false;
            }

            if (_jsonTemporaryCreated && _store.TryDelete(JsonTemporaryPath))
            {
                _jsonTemporaryCreated = false;
            }

            if (_emlVisible && _store.TryDelete(EmlPath))
            {
                _emlVisible = false;
            }

            _store.TryDelete(EmlTemporaryPath);

            if (wasVisible && _store.Options.Fsync)
            {
                try
                {
                    FileSystem.FlushDirectory(_store.DirectoryPath);
                }
                catch (Exception ex) when (IsIoFailure(ex))
                {
                    Log.DeleteFailed(_store._logger, JsonPath, ex);
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "Message {MessageId} stored ({Size} bytes).")]
        public static partial void Committed(ILogger logger, string messageId, long size);

        [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "Message {MessageId} aborted; its staged data was removed.")]
        public static partial void Aborted(ILogger logger, string messageId);

        [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "Message {MessageId} could not be stored.")]
        public static partial void StoreFailed(ILogger logger, string messageId, Exception exception);

        [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Could not delete {Path}.")]
        public static partial void DeleteFailed(ILogger logger, string path, Exception exception);

        [LoggerMessage(EventId = 3105, Level = LogLevel.Information, Message = "Removed {Count} stale files from the queue directory {Directory}.")]
        public static partial void StaleFilesRemoved(ILogger logger, int count, string directory);

        [LoggerMessage(EventId = 3106, Level = LogLevel.Warning, Message = "Could not look for stale files in the queue directory {Directory}.")]
        public static partial void StaleCleanupFailed(ILogger logger, string directory, Exception exception);

        [LoggerMessage(EventId = 3107, Level = LogLevel.Warning, Message = "Cannot read the free space of the queue directory {Directory}.")]
        public static partial void FreeSpaceUnknown(ILogger logger, string directory, Exception exception);

        [LoggerMessage(EventId = 3108, Level = LogLevel.Warning, Message = "Message id {MessageId} was taken; drawing another.")]
        public static partial void IdCollision(ILogger logger, string messageId);

        [LoggerMessage(EventId = 3109, Level = LogLevel.Error, Message = "The queue directory {Directory} cannot be created.")]
        public static partial void DirectoryUnavailable(ILogger logger, string directory, Exception exception);
    }
}
