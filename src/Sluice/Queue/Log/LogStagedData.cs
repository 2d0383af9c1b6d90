using System.Buffers;

namespace Sluice.Queue.Log;

/// <summary>
/// The bytes of one message while it is received: in pooled memory up to a threshold, then in a
/// staging file in the queue directory (so a large message is never whole in memory). The writer
/// copies it into the segment at commit.
/// </summary>
internal sealed class LogStagedData : IDisposable
{
    private const int ChunkSize = 16 * 1024;

    private readonly IQueueFileSystem _fileSystem;
    private readonly string _directory;
    private readonly string _id;
    private readonly long _spillThreshold;

    // Most messages fit one chunk: it is kept in a field, and a list is made only for a second one.
    private byte[]? _firstChunk;
    private List<byte[]>? _moreChunks;
    private int _lastChunkUsed = ChunkSize;
    private Stream? _spill;
    private string? _spillPath;

    public LogStagedData(IQueueFileSystem fileSystem, string directory, string id, long spillThreshold)
    {
        _fileSystem = fileSystem;
        _directory = directory;
        _id = id;
        _spillThreshold = spillThreshold;
    }

    /// <summary>The staging file's path (the file exists only once the message outgrew memory; the
    /// path is made only then, as most messages never need it).</summary>
    public string SpillPath => _spillPath ??= Path.Combine(_directory, _id + LogSegmentNames.StagingSuffix);

    /// <summary>Whether the bytes are in the staging file.</summary>
    public bool Spilled { get; private set; }

    public long Length { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!Spilled && Length + data.Length > _spillThreshold)
        {
            _spill = _fileSystem.CreateNew(SpillPath);
            Spilled = true;
            for (var i = 0; i < ChunkCount; i++)
            {
                await _spill.WriteAsync(ChunkMemory(i), cancellationToken).ConfigureAwait(false);
            }

            ReturnChunks();
        }

        if (Spilled)
        {
            await _spill!.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            AppendToMemory(data.Span);
        }

        Length += data.Length;
    }

    /// <summary>Pushes the staging file's buffer to the operating system and closes it (no fsync: the segment is what is made durable).</summary>
    public void Seal()
    {
        if (_spill is not null)
        {
            _fileSystem.Flush(_spill, flushToDisk: false);
            _spill.Dispose();
            _spill = null;
        }
    }

    /// <summary>Calls <paramref name="write"/> with the message bytes in order.</summary>
    public void CopyTo(Action<ReadOnlySpan<byte>> write, byte[] buffer)
    {
        if (!Spilled)
        {
            for (var i = 0; i < ChunkCount; i++)
            {
                write(ChunkMemory(i).Span);
            }

            return;
        }

        using var input = _fileSystem.OpenRead(SpillPath);
        var remaining = Length;
        while (remaining > 0)
        {
            var read = input.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (read == 0)
            {
                throw new IOException($"The staging file '{SpillPath}' is shorter than what was written to it.");
            }

            write(buffer.AsSpan(0, read));
            remaining -= read;
        }
    }

    /// <summary>Frees the memory and deletes the staging file. Never throws for I/O.</summary>
    public void Dispose()
    {
        ReturnChunks();
        if (Spilled)
        {
            try
            {
                _spill?.Dispose();
            }
            catch (IOException)
            {
                // closing may flush the rest and fail again; the file goes anyway
            }

            _spill = null;
            try
            {
                _fileSystem.Delete(SpillPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // a stale staging file is removed at the next start
            }
        }
    }

    private int ChunkCount => _firstChunk is null ? 0 : 1 + (_moreChunks?.Count ?? 0);

    private byte[] Chunk(int index) => index == 0 ? _firstChunk! : _moreChunks![index - 1];

    private ReadOnlyMemory<byte> ChunkMemory(int index) =>
        Chunk(index).AsMemory(0, index == ChunkCount - 1 ? _lastChunkUsed : ChunkSize);

    private void AppendToMemory(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_lastChunkUsed == ChunkSize)
            {
                var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
                if (_firstChunk is null)
                {
                    _firstChunk = chunk;
                }
                else
                {
                    (_moreChunks ??= []).Add(chunk);
                }

                _lastChunkUsed = 0;
            }

            var n = Math.Min(ChunkSize - _lastChunkUsed, data.Length);
            data[..n].CopyTo(Chunk(ChunkCount - 1).AsSpan(_lastChunkUsed));
            _lastChunkUsed += n;
            data = data[n..];
        }
    }

    private void ReturnChunks()
    {
        if (_firstChunk is not null)
        {
            ArrayPool<byte>.Shared.Return(_firstChunk);
            _firstChunk = null;
        }

        if (_moreChunks is not null)
        {
            foreach (var chunk in _moreChunks)
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            _moreChunks.Clear();
        }

        _lastChunkUsed = ChunkSize;
    }
}
