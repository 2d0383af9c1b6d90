using Sluice.Queue;

namespace Sluice.Tests.Queue;

/// <summary>A fresh directory under the system temp path, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sluice-queue-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The names of the files in the directory, sorted.</summary>
    public string[] FileNames() =>
        Directory.Exists(Path)
            ? Directory.GetFiles(Path).Select(f => System.IO.Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray()
            : [];

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>
/// The real file layer, with every durability step recorded in order (<c>create</c>, <c>fsync</c> or
/// <c>flush</c>, <c>close</c>, <c>move</c>, <c>fsync-dir</c>, <c>delete</c>) and an optional injected
/// failure at the Nth occurrence of one step (an <see cref="IOException"/>, as a full disk would give).
/// Data writes are not recorded but can fail too (step <c>write</c>).
/// </summary>
internal sealed class RecordingFileSystem : IQueueFileSystem
{
    private readonly PhysicalQueueFileSystem _inner = PhysicalQueueFileSystem.Instance;
    private readonly List<string> _events = [];
    private readonly Dictionary<string, int> _counts = [];
    private string? _failStep;
    private string? _failSuffix;
    private int _failOccurrence;

    public long? FreeSpace { get; set; }

    public bool FailFreeSpace { get; set; }

    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Throws at the <paramref name="occurrence"/>th <paramref name="step"/> on a file whose name ends with <paramref name="suffix"/>.</summary>
    public void FailAt(string step, string suffix, int occurrence = 1)
    {
        _failStep = step;
        _failSuffix = suffix;
        _failOccurrence = occurrence;
    }

    public void Mark(string text)
    {
        lock (_events)
        {
            _events.Add(text);
        }
    }

    internal void Check(string step, string path, bool record = true)
    {
        var name = System.IO.Path.GetFileName(path);
        lock (_events)
        {
            if (record)
            {
                _events.Add($"{step} {name}");
            }

            if (step == _failStep && name.EndsWith(_failSuffix!, StringComparison.Ordinal))
            {
                var count = _counts.GetValueOrDefault(step) + 1;
                _counts[step] = count;
                if (count == _failOccurrence)
                {
                    throw new IOException($"Injected failure at {step} {name}.");
                }
            }
        }
    }

    public void CreateDirectory(string path) => _inner.CreateDirectory(path);

    public Stream CreateNew(string path)
    {
        Check("create", path);
        return new RecordingStream(this, path, _inner.CreateNew(path));
    }

    public void Flush(Stream stream, bool flushToDisk)
    {
        var recording = (RecordingStream)stream;
        Check(flushToDisk ? "fsync" : "flush", recording.FilePath);
        _inner.Flush(recording.Inner, flushToDisk);
    }

    public void Move(string source, string destination)
    {
        Check("move", source);
        Mark($"  -> {System.IO.Path.GetFileName(destination)}");
        _inner.Move(source, destination);
    }

    public void Delete(string path)
    {
        if (_inner.FileExists(path))
        {
            Check("delete", path);
        }

        _inner.Delete(path);
    }

    public bool FileExists(string path) => _inner.FileExists(path);

    public void FlushDirectory(string path)
    {
        Check("fsync-dir", path);
        _inner.FlushDirectory(path);
    }

    public IEnumerable<string> EnumerateFiles(string directory) => _inner.EnumerateFiles(directory);

    public DateTime GetLastWriteTimeUtc(string path) => _inner.GetLastWriteTimeUtc(path);

    public long GetAvailableFreeSpace(string path) =>
        FailFreeSpace ? throw new IOException("Injected statvfs failure.") : FreeSpace ?? _inner.GetAvailableFreeSpace(path);

    public Stream CreateSegment(string path)
    {
        Check("create", path);
        return new RecordingStream(this, path, ((IQueueFileSystem)_inner).CreateSegment(path));
    }

    public Stream OpenSegmentForRepair(string path)
    {
        Check("open-repair", path);
        return new RecordingStream(this, path, ((IQueueFileSystem)_inner).OpenSegmentForRepair(path));
    }

    public Stream OpenAppend(string path)
    {
        Check("append", path);
        return new RecordingStream(this, path, ((IQueueFileSystem)_inner).OpenAppend(path));
    }

    public void SetLength(Stream stream, long length)
    {
        var recording = (RecordingStream)stream;
        Check("truncate", recording.FilePath);
        ((IQueueFileSystem)_inner).SetLength(recording.Inner, length);
    }
}

/// <summary>A stream that reports writes (never recorded, may fail) and its close to a <see cref="RecordingFileSystem"/>.</summary>
internal sealed class RecordingStream(RecordingFileSystem owner, string filePath, Stream inner) : Stream
{
    private bool _closed;

    public string FilePath { get; } = filePath;

    public Stream Inner { get; } = inner;

    public override bool CanRead => Inner.CanRead;

    public override bool CanSeek => Inner.CanSeek;

    public override bool CanWrite => true;

    public override long Length => Inner.Length;

    public override long Position
    {
        get => Inner.Position;
        set => Inner.Position = value;
    }

    public override void Flush() => Inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => Inner.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => Inner.Seek(offset, origin);

    public override void SetLength(long value) => Inner.SetLength(value);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        owner.Check("write", FilePath, record: false);
        Inner.Write(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        owner.Check("write", FilePath, record: false);
        await Inner.WriteAsync(buffer, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            try
            {
                owner.Check("close", FilePath);
            }
            finally
            {
                Inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
