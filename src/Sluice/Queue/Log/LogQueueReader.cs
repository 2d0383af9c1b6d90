using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sluice.Queue.Log;

/// <summary>
/// Reads a <c>log</c> store directory: every complete message record of every segment, in order
/// (segments in the order they were begun, records in file order). Never repairs anything, so it is
/// safe while servers write (TRAPS.md): it stops at each segment's last complete record. Segments
/// are scanned incrementally: what was checked once is not read again.
/// </summary>
/// <remarks>A sealed segment whose every message is done is deleted by <see cref="MarkDone"/> (its
/// done-marker file last).</remarks>
public sealed partial class LogQueueReader : IQueueReader
{
    private readonly IQueueFileSystem _fileSystem;
    private readonly TimeProvider _timeProvider;
    private readonly bool _fsync;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SegmentState> _segments = new(StringComparer.Ordinal);
    private readonly LogMessageStore? _writer;

    public LogQueueReader(string path, bool fsync = true, IQueueFileSystem? fileSystem = null, TimeProvider? timeProvider = null, ILogger<LogQueueReader>? logger = null)
        : this(path, fsync, fileSystem, timeProvider, logger, writer: null)
    {
    }

    /// <summary>
    /// A reader in the process of <paramref name="writer"/>: of the segment that store is writing it
    /// shows only what a flush covered, so a message is never handed out before its commit returned.
    /// (A reader in another process cannot know that and shows every complete record.)
    /// </summary>
    public LogQueueReader(string path, bool fsync, IQueueFileSystem? fileSystem, TimeProvider? timeProvider, ILogger<LogQueueReader>? logger, LogMessageStore? writer)
    {
        _writer = writer;
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        DirectoryPath = Path.GetFullPath(path);
        _fsync = fsync;
        _fileSystem = fileSystem ?? PhysicalQueueFileSystem.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public string DirectoryPath { get; }

    /// <inheritdoc/>
    public IEnumerable<QueuedMessage> List()
    {
        var now = _timeProvider.GetUtcNow();
        List<(string Segment, LogRecord Record, bool Done)> found = [];
        lock (_gate)
        {
            var present = LogSegmentNames.ListSegments(_fileSystem, DirectoryPath);
            foreach (var gone in _segments.Keys.Except(present, StringComparer.Ordinal).ToList())
            {
                _segments.Remove(gone);
            }

            foreach (var segment in present)
            {
                if (Refresh(segment) is not { } state)
                {
                    continue;
                }

                var done = LogDoneMarkers.Read(_fileSystem, LogSegmentNames.DoneFor(segment));
                found.AddRange(state.Messages.Select(r => (segment, r, done.Contains(r.Offset))));
            }
        }

        foreach (var (segment, record, done) in found)
        {
            var envelope = EnvelopeJson.Read(record.Envelope);
            var state = done ? QueuedMessageState.Done
                : envelope.HoldUntil > now ? QueuedMessageState.Held
                : QueuedMessageState.Queued;
            yield return new QueuedMessage(envelope, record.Envelope, state, () => Open(segment, record), (segment, record));
        }
    }

    /// <summary>
    /// The messages to deliver now (not done, not held), after deleting every sealed segment whose
    /// messages are all done (a segment sealed after its last message was marked done goes here).
    /// </summary>
    public IEnumerable<QueuedMessage> ReadReady()
    {
        lock (_gate)
        {
            foreach (var segment in LogSegmentNames.ListSegments(_fileSystem, DirectoryPath))
            {
                DeleteIfAllDone(segment);
            }
        }

        return List().Where(m => m.State == QueuedMessageState.Queued);
    }

    /// <inheritdoc/>
    public void MarkDone(QueuedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Location is not (string segment, LogRecord record))
        {
            throw new ArgumentException("The message does not come from a log store reader.", nameof(message));
        }

        lock (_gate)
        {
            var donePath = LogSegmentNames.DoneFor(segment);
            if (!_fileSystem.FileExists(segment))
            {
                return; // already done and deleted
            }

            if (LogDoneMarkers.Append(_fileSystem, donePath, record.Offset, _fsync) && _fsync)
            {
                _fileSystem.FlushDirectory(DirectoryPath);
            }

            DeleteIfAllDone(segment);
        }
    }

    private void DeleteIfAllDone(string segment)
    {
        if (Refresh(segment) is not { Sealed: true } state)
        {
            return;
        }

        var donePath = LogSegmentNames.DoneFor(segment);
        var done = LogDoneMarkers.Read(_fileSystem, donePath);
        if (state.Messages.All(r => done.Contains(r.Offset)))
        {
            // The segment first: a done file without its segment is harmless and removed with it next time.
            _fileSystem.Delete(segment);
            _fileSystem.Delete(donePath);
            if (_fsync)
            {
                _fileSystem.FlushDirectory(DirectoryPath);
            }

            _segments.Remove(segment);
            Log.SegmentDeleted(_logger, segment);
        }
    }

    private ReadOnlyWindowStream Open(string segment, LogRecord record) =>
        new ReadOnlyWindowStream(_fileSystem.OpenRead(segment), record.DataOffset, record.DataLength);

    private SegmentState? Refresh(string segment)
    {
        if (!_segments.TryGetValue(segment, out var state))
        {
            state = new SegmentState();
            _segments[segment] = state;
        }

        if (state.Sealed)
        {
            return state;
        }

        try
        {
            using var stream = _fileSystem.OpenRead(segment);
            var visible = Math.Min(stream.Length, _writer?.VisibleLength(segment) ?? long.MaxValue);
            if (visible == state.ScannedEnd)
            {
                return state;
            }

            if (visible < state.ScannedEnd)
            {
                // The writer cut back a batch whose flush failed: forget what was seen and read again.
                state = new SegmentState();
                _segments[segment] = state;
            }

            var scan = LogSegmentScanner.Scan(stream, state.ScannedEnd, visible);
            if (!scan.HeaderValid)
            {
                return state; // just created, or not a segment
            }

            foreach (var record in scan.Records)
            {
                if (record.Type == LogRecordType.Message)
                {
                    state.Messages.Add(record);
                }
                else
                {
                    state.Sealed = true;
                }
            }

            state.ScannedEnd = scan.ValidEnd;
            return state;
        }
        catch (FileNotFoundException)
        {
            _segments.Remove(segment);
            return null;
        }
    }

    private sealed class SegmentState
    {
        public long ScannedEnd { get; set; }

        public bool Sealed { get; set; }

        public List<LogRecord> Messages { get; } = [];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3231, Level = LogLevel.Debug, Message = "Deleted the queue segment {Segment}: every message in it is done.")]
        public static partial void SegmentDeleted(ILogger logger, string segment);
    }
}
