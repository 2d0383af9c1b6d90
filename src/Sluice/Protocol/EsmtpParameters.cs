namespace Sluice.Protocol;

/// <summary>
/// The MAIL/RCPT parameters the parser knows. The session checks <see cref="EsmtpParameters.Present"/>
/// against the extensions it offers and answers <c>555 5.5.4</c> for a parameter of one that is off.
/// </summary>
[Flags]
public enum SmtpParameters
{
    None = 0,

    /// <summary>MAIL SIZE=n (RFC 1870).</summary>
    Size = 1 << 0,

    /// <summary>MAIL BODY=7BIT|8BITMIME|BINARYMIME (RFC 6152, RFC 3030).</summary>
    Body = 1 << 1,

    /// <summary>MAIL SMTPUTF8 (RFC 6531).</summary>
    SmtpUtf8 = 1 << 2,

    /// <summary>MAIL RET=FULL|HDRS (RFC 3461).</summary>
    Ret = 1 << 3,

    /// <summary>MAIL ENVID=xtext (RFC 3461).</summary>
    EnvId = 1 << 4,

    /// <summary>RCPT NOTIFY=... (RFC 3461).</summary>
    Notify = 1 << 5,

    /// <summary>RCPT ORCPT=addr-type;xtext (RFC 3461).</summary>
    Orcpt = 1 << 6,

    /// <summary>MAIL BY=time;mode[T] (RFC 2852 DELIVERBY).</summary>
    By = 1 << 7,

    /// <summary>MAIL HOLDFOR=seconds (RFC 4865 FUTURERELEASE).</summary>
    HoldFor = 1 << 8,

    /// <summary>MAIL HOLDUNTIL=date-time (RFC 4865 FUTURERELEASE).</summary>
    HoldUntil = 1 << 9,

    /// <summary>MAIL MT-PRIORITY=-9..9 (RFC 6710).</summary>
    MtPriority = 1 << 10,

    /// <summary>MAIL REQUIRETLS (RFC 8689).</summary>
    RequireTls = 1 << 11,

    /// <summary>MAIL AUTH=mailbox|&lt;&gt; (RFC 4954 section 5).</summary>
    Auth = 1 << 12,
}

/// <summary>BODY= value.</summary>
public enum SmtpBodyType
{
    /// <summary>No BODY parameter: 7BIT by definition.</summary>
    SevenBit = 0,
    EightBitMime,
    BinaryMime,
}

/// <summary>RET= value (RFC 3461).</summary>
public enum DsnReturn
{
    /// <summary>Not given.</summary>
    Unspecified = 0,
    Full,
    Headers,
}

/// <summary>NOTIFY= value (RFC 3461). Empty when not given; <see cref="Never"/> is exclusive.</summary>
[Flags]
public enum DsnNotify
{
    None = 0,
    Never = 1,
    Success = 2,
    Failure = 4,
    Delay = 8,
}

/// <summary>The by-mode of BY= (RFC 2852).</summary>
public enum DeliverByMode
{
    /// <summary>Not given.</summary>
    None = 0,

    /// <summary><c>N</c>: notify if the deadline passes.</summary>
    Notify,

    /// <summary><c>R</c>: return the message if the deadline passes.</summary>
    Return,
}

/// <summary>The ESMTP parameters of one MAIL or RCPT command, parsed.</summary>
public struct EsmtpParameters
{
    /// <summary>Which parameters were given.</summary>
    public SmtpParameters Present { get; internal set; }

    /// <summary>SIZE= in octets (a value beyond <see cref="long.MaxValue"/> is clamped to it).</summary>
    public long Size { get; internal set; }

    /// <summary>BODY= (7BIT when absent).</summary>
    public SmtpBodyType Body { get; internal set; }

    /// <summary>RET=.</summary>
    public DsnReturn Ret { get; internal set; }

    /// <summary>ENVID=, xtext-decoded (printable US-ASCII, at most 100 characters).</summary>
    public string? EnvelopeId { get; internal set; }

    /// <summary>NOTIFY= flags (None when absent).</summary>
    public DsnNotify Notify { get; internal set; }

    /// <summary>ORCPT= as <c>addr-type;address</c> with the address xtext-decoded, e.g. <c>rfc822;a@b.example</c>.</summary>
    public string? OriginalRecipient { get; internal set; }

    /// <summary>BY= by-time in seconds (may be negative in R mode, RFC 2852).</summary>
    public int ByTime { get; internal set; }

    /// <summary>BY= by-mode.</summary>
    public DeliverByMode ByMode { get; internal set; }

    /// <summary>BY= trace flag (<c>T</c>).</summary>
    public bool ByTrace { get; internal set; }

    /// <summary>HOLDFOR= in seconds.</summary>
    public long HoldFor { get; internal set; }

    /// <summary>HOLDUNTIL= as an absolute time.</summary>
    public DateTimeOffset HoldUntil { get; internal set; }

    /// <summary>MT-PRIORITY= (-9..9; 0 when absent).</summary>
    public int MtPriority { get; internal set; }

    /// <summary>MAIL AUTH=: the xtext-decoded mailbox, or <c>&lt;&gt;</c>.</summary>
    public string? AuthMailbox { get; internal set; }

    /// <summary>SMTPUTF8 was given.</summary>
    public readonly bool SmtpUtf8 => (Present & SmtpParameters.SmtpUtf8) != 0;

    /// <summary>REQUIRETLS was given.</summary>
    public readonly bool RequireTls => (Present & SmtpParameters.RequireTls) != 0;

    /// <summary>True when <paramref name="parameter"/> was given.</summary>
    public readonly bool Has(SmtpParameters parameter) => (Present & parameter) == parameter;
}
