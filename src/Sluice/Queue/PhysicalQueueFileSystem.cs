using System.Runtime.InteropServices;

namespace Sluice.Queue;

/// <summary>The real file layer of the <c>files</c> store.</summary>
public sealed class PhysicalQueueFileSystem : IQueueFileSystem
{
    private const int BufferSize = 64 * 1024;

    /// <summary>The shared instance.</summary>
    public static PhysicalQueueFileSystem Instance { get; } = new();

    /// <inheritdoc/>
    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    /// <inheritdoc/>
    public Stream CreateNew(string path) =>
        new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, BufferSize, FileOptions.Asynchronous);

    /// <inheritdoc/>
    public void Flush(Stream stream, bool flushToDisk)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream is FileStream file)
        {
            file.Flush(flushToDisk);
        }
        else
        {
            stream.Flush();
        }
    }

    /// <inheritdoc/>
    public void Move(string source, string destination) => File.Move(source, destination, overwrite: true);

    /// <inheritdoc/>
    public void Delete(string path) => File.Delete(path);

    /// <inheritdoc/>
    public bool FileExists(string path) => File.Exists(path);

    /// <inheritdoc/>
    public void FlushDirectory(string path) => DirectorySync.Flush(path);

    /// <inheritdoc/>
    public IEnumerable<string> EnumerateFiles(string directory) => Directory.EnumerateFiles(directory);

    /// <inheritdoc/>
    public DateTime GetLastWriteTimeUtc(string path) => File.GetLastWriteTimeUtc(path);

    /// <inheritdoc/>
    public long GetAvailableFreeSpace(string path) => new DriveInfo(Path.GetFullPath(path)).AvailableFreeSpace;
}

/// <summary>
/// <c>fsync</c> on a directory, which .NET has no API for: <c>open(O_RDONLY|O_DIRECTORY)</c>,
/// <c>fsync</c>, <c>close</c> through libc. On Windows (where NTFS renames are journaled and a
/// directory cannot be opened this way) it does nothing.
/// </summary>
internal static class DirectorySync
{
    private const int ORdOnly = 0;
    private const int EIntr = 4;
    private const int EInval = 22;

    public static void Flush(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var flags = ORdOnly | DirectoryFlag() | CloseOnExecFlag();
        var pathBytes = System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(path) + "\0");
        int fd;
        do
        {
            fd = NativeMethods.Open(pathBytes, flags);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == EIntr);

        if (fd < 0)
        {
            throw Failure("open", path, Marshal.GetLastPInvokeError());
        }

        try
        {
            if (NativeMethods.FSync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();

                // Some file systems cannot fsync a directory (EINVAL); their renames are as durable as they get.
                if (errno != EInval)
                {
                    throw Failure("fsync", path, errno);
                }
            }
        }
        finally
        {
            _ = NativeMethods.Close(fd);
        }
    }

    private static int DirectoryFlag()
    {
        if (OperatingSystem.IsLinux())
        {
            return RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64
                ? 0x4000   // O_DIRECTORY on arm/arm64
                : 0x10000; // O_DIRECTORY on x86, x64 and most others
        }

        return OperatingSystem.IsMacOS() ? 0x100000 : 0; // elsewhere plain O_RDONLY opens a directory too
    }

    private static int CloseOnExecFlag()
    {
        if (OperatingSystem.IsLinux())
        {
            return 0x80000; // O_CLOEXEC
        }

        return OperatingSystem.IsMacOS() ? 0x1000000 : 0;
    }

    private static IOException Failure(string call, string path, int errno) =>
        new($"{call} on directory '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Open(byte[] path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int FSync(int fd);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Close(int fd);
    }
}
