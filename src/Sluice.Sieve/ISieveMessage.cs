namespace Sluice.Sieve;

/// <summary>
/// The message a script runs against. Part 1 needs headers and size; a MIME-aware implementation
/// (body, parts, header edits) can grow from this without changing the interpreter's callers.
/// </summary>
public interface ISieveMessage
{
    /// <summary>Values of every header field with this name (case-insensitive), in order: unfolded,
    /// RFC 2047 encoded words decoded, leading and trailing whitespace removed.</summary>
    IReadOnlyList<string> GetHeaderValues(string name);

    /// <summary>The same values unfolded but not decoded (address parsing needs the raw text).</summary>
    IReadOnlyList<string> GetRawHeaderValues(string name);

    /// <summary>Size of the message in octets (RFC 5228 §5.9).</summary>
    long Size { get; }

    /// <summary>The message as received.</summary>
    ReadOnlyMemory<byte> RawBytes { get; }

    /// <summary>IMAP flags already on the message (when it comes from a mailbox); empty for new mail.</summary>
    IReadOnlyList<string> Flags { get; }
}

/// <summary>The SMTP envelope a script sees (RFC 5228 §5.4). The null reverse-path is "".</summary>
public sealed record SieveEnvelope
{
    public string? From { get; init; }

    public IReadOnlyList<string> To { get; init; } = [];

    /// <summary>The authenticated identity, when there is one (Pigeonhole's "auth" envelope part).</summary>
    public string? Auth { get; init; }

    /// <summary>DSN parameters of the recipient and message (RFC 3461, tested by envelope-dsn, RFC 6009 §4).</summary>
    public string? Notify { get; init; }

    public string? Orcpt { get; init; }

    public string? Ret { get; init; }

    public string? EnvId { get; init; }

    /// <summary>DELIVERBY (RFC 2852): the deadline, as absolute time (RFC 3339) and seconds remaining; mode ("notify"/"return"); trace.</summary>
    public string? ByTimeAbsolute { get; init; }

    public string? ByTimeRelative { get; init; }

    public string? ByMode { get; init; }

    public string? ByTrace { get; init; }
}
