namespace Sluice.Configuration.Settings;

public enum QueueType
{
    /// <summary>One <c>.eml</c> + <c>.json</c> pair per message.</summary>
    Files,

    /// <summary>Append-only segment log with group commit.</summary>
    Log,
}

/// <summary>The <c>[queue]</c> section (SPEC §2.9).</summary>
public sealed record QueueSettings
{
    public QueueType Type { get; init; } = QueueType.Log;

    public string Path { get; init; } = "./data/queue";

    /// <summary>Data reaches the disk before 250 is sent.</summary>
    public bool Fsync { get; init; } = true;

    /// <summary>Below this many free bytes, readiness fails and new messages get 452 4.3.1.</summary>
    public long MinFreeSpace { get; init; } = 100L * 1024 * 1024;
}
