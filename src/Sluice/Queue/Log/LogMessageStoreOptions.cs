namespace Sluice.Queue.Log;

/// <summary>Settings of the <c>log</c> store (<c>[queue]</c> with <c>type = "log"</c>).</summary>
public sealed record LogMessageStoreOptions
{
    /// <summary>The queue directory (<c>queue.path</c>); created if missing.</summary>
    public required string Path { get; init; }

    /// <summary>
    /// <c>queue.fsync</c>: each group commit's flush is an <c>fsync</c>, and a new segment's name is
    /// made durable, before any of its commits return. Without it a commit survives a killed process
    /// but not a power loss.
    /// </summary>
    public bool Fsync { get; init; } = true;

    /// <summary>A segment this long is sealed after its current batch and the next batch starts a new one. Default 64 MiB.</summary>
    public long SegmentSize { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// A message is staged in memory up to this many bytes, and in a staging file in the queue
    /// directory beyond (so a large message is never whole in memory). Default 64 KiB.
    /// </summary>
    /// <remarks>Why not a staging file for every message: measured with bench/StoreBench (4 KB messages,
    /// fsync on, this 2-core machine), creating and deleting a staging file per message brought the
    /// log down from about 8,000–20,000 to about 300–1,000 messages a second (20–100 committers), below
    /// the <c>files</c> store. Memory up to 64 KiB covers almost all mail; the bound per session stays
    /// this threshold plus the staging file's 64 KiB write buffer.</remarks>
    public long SpillThreshold { get; init; } = 64 * 1024;

    /// <summary>Staging files older than this are removed when the store starts (a crash's leftovers). Default one hour.</summary>
    public TimeSpan StaleFileAge { get; init; } = TimeSpan.FromHours(1);
}
