namespace Sluice.Queue;

/// <summary>
/// The file operations the <c>files</c> store performs, so tests can record their order and inject
/// failures (CI runs as root: <c>chmod</c> cannot make a directory read-only).
/// <see cref="PhysicalQueueFileSystem"/> is the real one and the default.
/// Every method reports failure by throwing <see cref="IOException"/> (or
/// <see cref="UnauthorizedAccessException"/>); the store turns it into <see cref="MessageStoreException"/>.
/// </summary>
public interface IQueueFileSystem
{
    /// <summary>Creates the directory (and its parents) if missing.</summary>
    void CreateDirectory(string path);

    /// <summary>Creates a new file for writing; fails if it already exists (<see cref="FileMode.CreateNew"/>).</summary>
    Stream CreateNew(string path);

    /// <summary>
    /// Pushes <paramref name="stream"/>'s buffered bytes to the operating system, and to the disk
    /// (<c>fsync</c>) when <paramref name="flushToDisk"/> is set.
    /// </summary>
    void Flush(Stream stream, bool flushToDisk);

    /// <summary>Renames a file, replacing the destination (a plain <c>rename(2)</c> within one directory).</summary>
    void Move(string source, string destination);

    /// <summary>Deletes a file; no error when it does not exist.</summary>
    void Delete(string path);

    /// <summary>Whether a file exists.</summary>
    bool FileExists(string path);

    /// <summary>Makes the directory's entries (created, renamed, deleted names) durable: <c>fsync</c> on the directory.</summary>
    void FlushDirectory(string path);

    /// <summary>The full paths of the files directly in <paramref name="directory"/>.</summary>
    IEnumerable<string> EnumerateFiles(string directory);

    /// <summary>When the file was last written, UTC.</summary>
    DateTime GetLastWriteTimeUtc(string path);

    /// <summary>The bytes available to this process on the file system holding <paramref name="path"/>.</summary>
    long GetAvailableFreeSpace(string path);

    // The log store's operations. Default bodies keep older implementations compiling; a test layer
    // overrides them to record or fail them.

    /// <summary>
    /// Creates a new segment file of the log store (fails if it exists): readable and writable,
    /// seekable, unbuffered (the writer batches its own writes), shared for reading by other processes.
    /// </summary>
    Stream CreateSegment(string path) =>
        new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, bufferSize: 0);

    /// <summary>Opens an existing segment of a dead writer for repair (truncate the tail, append the seal).</summary>
    Stream OpenSegmentForRepair(string path) =>
        new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, bufferSize: 0);

    /// <summary>Opens a file for reading while another process may still append to it or delete it.</summary>
    Stream OpenRead(string path) =>
        new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);

    /// <summary>Opens (creating it if missing) a file to append to; shared with other appenders and readers.</summary>
    Stream OpenAppend(string path) =>
        new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);

    /// <summary>Shortens (or lengthens) a file opened by this layer.</summary>
    void SetLength(Stream stream, long length)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.SetLength(length);
        stream.Position = length;
    }

    /// <summary>
    /// Takes an exclusive advisory lock on <paramref name="path"/> (created if missing) without waiting:
    /// the lock, held until disposed or until the process dies; <see langword="null"/> when another
    /// holder has it.
    /// </summary>
    IDisposable? TryLock(string path) => FileLock.TryAcquire(path);
}
