using Sluice.Queue;

namespace Sluice.Tests.Durability;

/// <summary>
/// The real file layer with a disk that can fill up: while <see cref="SpaceLeft"/> is set, writes use
/// it up and the write that does not fit puts the bytes that do on disk, then throws the
/// <see cref="IOException"/> a full disk gives (ENOSPC), as <c>write(2)</c> would leave it. Free space
/// is reported from the real disk, as when another writer fills the disk (or a quota bites) between
/// the <c>min-free-space</c> check and the write. Truncating and deleting always work.
/// </summary>
internal sealed class DiskFullFileSystem : IQueueFileSystem
{
    private const int Enospc = 28;
    private readonly IQueueFileSystem _inner = PhysicalQueueFileSystem.Instance;
    private readonly Lock _gate = new();
    private long? _spaceLeft;

    /// <summary>Bytes that may still be written; null: no limit (the disk has room again).</summary>
    public long? SpaceLeft
    {
        get
        {
            lock (_gate)
            {
                return _spaceLeft;
            }
        }
        set
        {
            lock (_gate)
            {
                _spaceLeft = value;
            }
        }
    }

    /// <summary>How many writes failed with ENOSPC.</summary>
    public int Failures { get; private set; }

    /// <summary>How many of <paramref name="count"/> bytes fit; counts a failure when not all do.</summary>
    private int Reserve(int count)
    {
        lock (_gate)
        {
            if (_spaceLeft is not { } left)
            {
                return count;
            }

            var fits = (int)Math.Min(left, count);
            _spaceLeft = left - fits;
            if (fits < count)
            {
                Failures++;
            }

            return fits;
        }
    }

    public void CreateDirectory(string path) => _inner.CreateDirectory(path);

    public Stream CreateNew(string path) => new FillingStream(this, _inner.CreateNew(path));

    public void Flush(Stream stream, bool flushToDisk) => _inner.Flush(Unwrap(stream), flushToDisk);

    public void Move(string source, string destination) => _inner.Move(source, destination);

    public void Delete(string path) => _inner.Delete(path);

    public bool FileExists(string path) => _inner.FileExists(path);

    public void FlushDirectory(string path) => _inner.FlushDirectory(path);

    public IEnumerable<string> EnumerateFiles(string directory) => _inner.EnumerateFiles(directory);

    public DateTime GetLastWriteTimeUtc(string path) => _inner.GetLastWriteTimeUtc(path);

    public long GetAvailableFreeSpace(string path) => _inner.GetAvailableFreeSpace(path);

    public Stream CreateSegment(string path) => new FillingStream(this, _inner.CreateSegment(path));

    public Stream OpenSegmentForRepair(string path) => new FillingStream(this, _inner.OpenSegmentForRepair(path));

    public Stream OpenRead(string path) => _inner.OpenRead(path);

    public Stream OpenAppend(string path) => new FillingStream(this, _inner.OpenAppend(path));

    public void SetLength(Stream stream, long length) => _inner.SetLength(Unwrap(stream), length);

    public IDisposable? TryLock(string path) => _inner.TryLock(path);

    private static Stream Unwrap(Stream stream) => stream is FillingStream filling ? filling.Inner : stream;

    /// <summary>A file on the filling disk.</summary>
    private sealed class FillingStream(DiskFullFileSystem disk, Stream inner) : Stream
    {
        public Stream Inner { get; } = inner;

        public override bool CanRead => Inner.CanRead;

        public override bool CanSeek => Inner.CanSeek;

        public override bool CanWrite => Inner.CanWrite;

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
            var fits = disk.Reserve(buffer.Length);
            Inner.Write(buffer[..fits]);
            if (fits < buffer.Length)
            {
                throw DiskFull();
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var fits = disk.Reserve(buffer.Length);
            await Inner.WriteAsync(buffer[..fits], cancellationToken);
            if (fits < buffer.Length)
            {
                throw DiskFull();
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private static IOException DiskFull() => new("No space left on device", Enospc);
    }
}
