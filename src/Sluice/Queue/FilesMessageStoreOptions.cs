namespace Sluice.Queue;

/// <summary>Settings of the <c>files</c> store (<c>[queue]</c> with <c>type = "files"</c>).</summary>
public sealed record FilesMessageStoreOptions
{
    /// <summary>The queue directory (<c>queue.path</c>); created if missing.</summary>
    public required string Path { get; init; }

    /// <summary>
    /// <c>queue.fsync</c>: flush each file and the directory to the disk before a commit returns.
    /// Without it a commit survives a killed process but not a power loss.
    /// </summary>
    public bool Fsync { get; init; } = true;

    /// <summary>
    /// Leftovers of a crash (<c>*.tmp</c> files, and an <c>.eml</c> without its <c>.json</c>) older than
    /// this are deleted when the store starts. Younger ones may belong to another process sharing the
    /// directory and are left alone. Default one hour.
    /// </summary>
    public TimeSpan StaleFileAge { get; init; } = TimeSpan.FromHours(1);
}
