using System.Buffers.Binary;
using System.IO.Hashing;
using Microsoft.Extensions.Logging;

namespace Sluice.Queue.Log;

/// <summary>
/// The single writer of one store instance: a dedicated thread takes every record pending, appends
/// them to the current segment, flushes once (<c>fsync</c> with <c>queue.fsync</c>), and only then
/// completes every waiter that flush covered (group commit). While it flushes, new commits queue up
/// and go into the next batch. A segment over its size limit is sealed after a batch and the next
/// batch starts a new one; a new segment's name is made durable (directory fsync) before its first
/// waiters are completed.
/// </summary>
/// <remarks>When a batch fails (write or flush), the segment is cut back to where the batch began,
/// so no record of a failed commit stays, and every waiter of the batch gets a
/// <see cref="MessageStoreException"/>. If even the cut fails, the segment is abandoned (left to
/// recovery) and the next batch starts a new one.</remarks>
internal sealed partial class LogWriter : IDisposable
{
    private const int BatchBufferSize = 256 * 1024;

    private readonly IQueueFileSystem _fileSystem;
    private readonly string _directory;
    private readonly string _writerId;
    private readonly LogMessageStoreOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Lock _durableGate = new();
    private string? _durablePath;
    private long _durableLength;
    private readonly Thread _thread;
    private List<PendingRecord> _pending = [];
    private List<PendingRecord> _spare = [];
    private bool _stopping;

    private Stream? _segment;
    private string? _segmentPath;
    private bool _segmentNameDurable;
    private int _sequence;
    private long _length;

    private readonly byte[] _buffer = new byte[BatchBufferSize];
    private readonly byte[] _copyBuffer = new byte[64 * 1024];
    private readonly Action<ReadOnlySpan<byte>> _appendChecked;
    private int _buffered;

    // One checksum for the writer's life, reset per record (the writer is a single thread).
    private readonly Crc32 _recordCrc = new();

    public LogWriter(IQueueFileSystem fileSystem, string directory, string writerId, LogMessageStoreOptions options, ILogger logger)
    {
        _fileSystem = fileSystem;
        _directory = directory;
        _writerId = writerId;
        _options = options;
        _logger = logger;
        _appendChecked = AppendChecked;
        _thread = new Thread(Run) { IsBackground = true, Name = "sluice-log-writer" };
        _thread.Start();
    }

    /// <summary>How many flushes the writer did (each covering one batch).</summary>
    public long Flushes { get; private set; }

    /// <summary>
    /// How far the segment being written is flushed (with <c>queue.fsync</c>: on disk); zero for a
    /// segment the writer is not writing. Records beyond were written but their commits have not
    /// returned yet.
    /// </summary>
    public long DurableLength(string segmentPath)
    {
        lock (_durableGate)
        {
            return string.Equals(segmentPath, _durablePath, StringComparison.Ordinal) ? _durableLength : long.MaxValue;
        }
    }

    private void PublishDurable(string? path, long length)
    {
        lock (_durableGate)
        {
            _durablePath = path;
            _durableLength = length;
        }
    }

    /// <summary>How many records wait for the next batch (tests).</summary>
    internal int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Queues a record; the task completes once a flush covered it. Awaited once.</summary>
    public ValueTask AppendAsync(PendingRecord record)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                record.FailCommit(new MessageStoreException("The message store is shutting down."));
                return record.Completion;
            }

            _pending.Add(record);
            if (_pending.Count == 1)
            {
                Monitor.Pulse(_gate);
            }
        }

        return record.Completion;
    }

    /// <summary>Writes what is pending, seals the segment and stops the thread.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }

        _thread.Join();
    }

    private void Run()
    {
        while (true)
        {
            List<PendingRecord> batch;
            lock (_gate)
            {
                while (_pending.Count == 0 && !_stopping)
                {
                    Monitor.Wait(_gate);
                }

                if (_pending.Count == 0)
                {
                    break;
                }

                batch = _pending;
                _pending = _spare;
                _spare = batch;
            }

            try
            {
                WriteBatch(batch);
            }
            finally
            {
                foreach (var record in batch)
                {
                    record.ReleaseEnvelope();
                }

                batch.Clear();
            }
        }

        SealAndClose();
    }

    private void WriteBatch(List<PendingRecord> batch)
    {
        var batchStart = 0L;
        try
        {
            var fresh = _segment is null;
            EnsureSegment();
            batchStart = fresh ? 0 : _length;
            foreach (var record in batch)
            {
                WriteRecord(record);
            }

            FlushBuffer();
            _fileSystem.Flush(_segment!, _options.Fsync);
            if (!_segmentNameDurable)
            {
                if (_options.Fsync)
                {
                    _fileSystem.FlushDirectory(_directory);
                }

                _segmentNameDurable = true;
            }

            Flushes++;
            PublishDurable(_segmentPath!, _length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.BatchFailed(_logger, batch.Count, _segmentPath ?? _directory, ex);
            CutBack(batchStart);
            var failure = new MessageStoreException("The message could not be appended to the queue log.", ex);
            foreach (var record in batch)
            {
                record.FailCommit(failure);
            }

            return;
        }

        foreach (var record in batch)
        {
            record.Succeed();
        }

        if (_length >= _options.SegmentSize)
        {
            SealAndClose();
        }
    }

    private void EnsureSegment()
    {
        if (_segment is not null)
        {
            return;
        }

        _sequence++;
        _segmentPath = Path.Combine(_directory, LogSegmentNames.Segment(_writerId, _sequence));
        PublishDurable(_segmentPath, 0);
        _segment = _fileSystem.CreateSegment(_segmentPath);
        _segmentNameDurable = false;
        _length = 0;
        _buffered = 0;
        Append(LogFormat.SegmentMagic);
    }

    private void WriteRecord(PendingRecord record)
    {
        Span<byte> header = stackalloc byte[LogFormat.RecordHeaderLength];
        LogFormat.WriteRecordHeader(header, LogRecordType.Message, record.Envelope.Length, record.Data.Length);
        Append(header);
        _recordCrc.Reset();
        AppendChecked(record.Envelope);
        record.Data.CopyTo(_appendChecked, _copyBuffer);
        Span<byte> trailer = stackalloc byte[LogFormat.RecordTrailerLength];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, _recordCrc.GetCurrentHashAsUInt32());
        Append(trailer);
    }

    private void AppendChecked(ReadOnlySpan<byte> data)
    {
        _recordCrc.Append(data);
        Append(data);
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_buffered == _buffer.Length)
            {
                FlushBuffer();
            }

            var n = Math.Min(_buffer.Length - _buffered, data.Length);
            data[..n].CopyTo(_buffer.AsSpan(_buffered));
            _buffered += n;
            _length += n;
            data = data[n..];
        }
    }

    private void FlushBuffer()
    {
        if (_buffered > 0)
        {
            var count = _buffered;
            _buffered = 0;
            _segment!.Write(_buffer, 0, count);
        }
    }

    /// <summary>Removes a failed batch's bytes; abandons the segment when even that fails.</summary>
    private void CutBack(long length)
    {
        _buffered = 0;
        if (_segment is null)
        {
            return;
        }

        try
        {
            if (length == 0)
            {
                // The new segment's header itself failed: drop the file, the next batch starts another.
                Abandon();
                _fileSystem.Delete(_segmentPath!);
                return;
            }

            _fileSystem.SetLength(_segment, length);
            _length = length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SegmentAbandoned(_logger, _segmentPath!, ex);
            Abandon();
        }
    }

    private void Abandon()
    {
        try
        {
            _segment?.Dispose();
        }
        catch (IOException)
        {
            // the file is left to recovery
        }

        _segment = null;
    }

    private void SealAndClose()
    {
        if (_segment is null)
        {
            return;
        }

        try
        {
            _buffered = 0;
            _segment.Write(LogFormat.SealRecord());
            _length += LogFormat.RecordHeaderLength + LogFormat.RecordTrailerLength;
            _fileSystem.Flush(_segment, _options.Fsync);
            PublishDurable(null, 0); // no longer being written: all of it may be shown
            Log.SegmentSealed(_logger, _segmentPath!, _length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SegmentAbandoned(_logger, _segmentPath!, ex);
        }

        Abandon();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3201, Level = LogLevel.Error, Message = "A batch of {Count} messages could not be appended to {Segment}.")]
        public static partial void BatchFailed(ILogger logger, int count, string segment, Exception exception);

        [LoggerMessage(EventId = 3202, Level = LogLevel.Error, Message = "The queue segment {Segment} could not be repaired after a failure; it is left to recovery.")]
        public static partial void SegmentAbandoned(ILogger logger, string segment, Exception exception);

        [LoggerMessage(EventId = 3203, Level = LogLevel.Debug, Message = "Sealed the queue segment {Segment} at {Length} bytes.")]
        public static partial void SegmentSealed(ILogger logger, string segment, long length);
    }
}
