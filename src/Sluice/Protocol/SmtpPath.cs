namespace Sluice.Protocol;

/// <summary>
/// A MAIL FROM reverse-path or RCPT TO forward-path (RFC 5321 4.1.2), with any source route
/// (<c>@a,@b:</c>) already removed.
/// </summary>
public readonly struct SmtpPath : IEquatable<SmtpPath>
{
    private readonly int _atIndex;
    private readonly string? _address;

    internal SmtpPath(string address, int atIndex, bool isNull, bool isPostmaster, bool hasNonAscii)
    {
        _address = address;
        _atIndex = atIndex;
        IsNull = isNull;
        IsPostmaster = isPostmaster;
        HasNonAscii = hasNonAscii;
    }

    /// <summary>The null reverse-path <c>&lt;&gt;</c>.</summary>
    public static SmtpPath Null { get; } = new(string.Empty, -1, isNull: true, isPostmaster: false, hasNonAscii: false);

    /// <summary>
    /// <c>local@domain</c> as sent (a quoted local part keeps its quotes, an address literal its
    /// brackets); <c>""</c> for the null path; <c>postmaster</c> (as sent) for <c>&lt;postmaster&gt;</c>.
    /// </summary>
    public string Address => _address ?? string.Empty;

    /// <summary>True for <c>&lt;&gt;</c> (only valid in MAIL FROM).</summary>
    public bool IsNull { get; }

    /// <summary>
    /// True for the bare <c>&lt;postmaster&gt;</c> (any case, no domain) that RFC 5321 4.5.1 lets RCPT
    /// use; <see cref="Domain"/> is then empty.
    /// </summary>
    public bool IsPostmaster { get; }

    /// <summary>
    /// True when the address has octets above 127 (UTF-8, RFC 6531). The session must refuse such an
    /// address unless the transaction's MAIL carried SMTPUTF8.
    /// </summary>
    public bool HasNonAscii { get; }

    /// <summary>The local part (allocates a substring); empty for the null path.</summary>
    public string LocalPart => _atIndex < 0 ? Address : Address[.._atIndex];

    /// <summary>The domain or address literal after the last <c>@</c> (allocates a substring); empty when none.</summary>
    public string Domain => _atIndex < 0 ? string.Empty : Address[(_atIndex + 1)..];

    public bool Equals(SmtpPath other) =>
        IsNull == other.IsNull && string.Equals(Address, other.Address, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is SmtpPath other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(IsNull, Address);

    public static bool operator ==(SmtpPath left, SmtpPath right) => left.Equals(right);

    public static bool operator !=(SmtpPath left, SmtpPath right) => !left.Equals(right);

    public override string ToString() => "<" + Address + ">";
}
