namespace Sluice.Sieve;

/// <summary>
/// Settings of the extensions that have any: what the administrator may tune. Compile and run both
/// read them (a compile checks constant values, a run checks computed ones).
/// </summary>
public sealed record SieveSettings
{
    public static SieveSettings Default { get; } = new();

    /// <summary>Largest header field (name, colon, value) addheader may add, in octets (RFC 5293 §5).</summary>
    public int EditheaderMaxHeaderSize { get; init; } = 2048;

    /// <summary>Header fields addheader may not add (Received and Auto-Submitted are always protected, RFC 5293 §6).</summary>
    public IReadOnlySet<string> EditheaderForbidAdd { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Header fields deleteheader may not delete.</summary>
    public IReadOnlySet<string> EditheaderForbidDelete { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Distinct scripts one script and its includes may include (RFC 6609 §4).</summary>
    public int IncludeMaxIncludes { get; init; } = 255;

    /// <summary>Depth of nested includes (SPEC: sieve.limits.nested-includes).</summary>
    public int IncludeMaxNesting { get; init; } = 3;

    /// <summary>Time one regular expression match may take before the run fails.</summary>
    public TimeSpan RegexTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Depth of MIME nesting foreverypart and the MIME tests descend into.</summary>
    public int MaxMimeDepth { get; init; } = 32;

    /// <summary>Parts of one message the MIME tests look at; the rest are not seen.</summary>
    public int MaxMimeParts { get; init; } = 1000;

    /// <summary>Longest text extracttext or the body test takes from one part, in characters.</summary>
    public int MaxBodyText { get; init; } = 1 << 20;

    /// <summary>Header fields a message may have after edits.</summary>
    public int MaxHeaderFields { get; init; } = 1000;

    /// <summary>Whether the host knows a list (RFC 6134 valid_ext_list) at compile time; null: any name is accepted.</summary>
    public Func<string, bool>? IsValidList { get; init; }

    /// <summary>The text of an included script (RFC 6609): name and global flag; null when there is none.</summary>
    public Func<string, bool, string?>? IncludeResolver { get; init; }
}
