namespace Sluice.Queue;

/// <summary>
/// An exclusive advisory lock held through an open file: <see cref="FileShare.None"/> is an exclusive
/// open on Windows and <c>flock(LOCK_EX|LOCK_NB)</c> in .NET on Unix. The operating system drops it
/// when the process dies (also by kill -9), which is how a dead log writer is recognised.
/// </summary>
internal static class FileLock
{
    public static IDisposable? TryAcquire(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null; // held by a live process
        }
    }
}
