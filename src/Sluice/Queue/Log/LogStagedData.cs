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
    private readonly long _spillThreshold;
    private readonly List<byte[]> _chunks = [];
    private int _lastChunkUsed = ChunkSize;
    private Stream? _spill;

    public LogStagedData(IQueueFileSystem fileSystem, string spillPath, long spillThreshold)
    {
        _fileSystem = fileSystem;
        SpillPath = spillPath;
        _spillThreshold = spillThreshold;
    }

    /// <summary>The staging file's path (it exists only once the message outgrew memory).</summary>
    public string SpillPath { get; }

    /// <summary>Whether the bytes are in the staging file.</summary>
    public bool Spilled { get; private set; }

    public long Length { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!Spilled && Length + data.Length > _spillThreshold)
        {
            _spill = _fileSystem.CreateNew(SpillPath);
            Spilled = true;
            foreach (var span in MemorySpans())
            {
                await _spill.WriteAsync(span, cancellationToken).ConfigureAwait(false);
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
            foreach (var span in MemorySpans())
            {
                write(span.Span);
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

    private void AppendToMemory(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_lastChunkUsed == ChunkSize)
            {
                _chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkSize));
                _lastChunkUsed = 0;
            }

            var n = Math.Min(ChunkSize - _lastChunkUsed, data.Length);
            data[..n].CopyTo(_chunks[^1].AsSpan(_lastChunkUsed));
            _lastChunkUsed += n;
            data = data[n..];
        }
    }

    private IEnumerable<ReadOnlyMemory<byte>> MemorySpans()
    {
        for (var i = 0; i < _chunks.Count; i++)
        {
            yield return _chunks[i].AsMemory(0, i == _chunks.Count - 1 ? _lastChunkUsed : ChunkSize);
        }
    }

    private void ReturnChunks()
    {
        foreach (var chunk in _chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        _chunks.Clear();
        _lastChunkUsed = ChunkSize;
    }
}
