namespace Sluice.Protocol;

/// <summary>The SMTP verbs Sluice understands. <see cref="Unknown"/> is any other line (500 5.5.1).</summary>
public enum SmtpVerb
{
    Unknown = 0,
    Ehlo,
    Helo,
    Mail,
    Rcpt,
    Data,
    Rset,
    Noop,
    Quit,
    Vrfy,
    Expn,
    Help,
    Bdat,
    StartTls,
    Auth,

    /// <summary>LHLO (RFC 2033): LMTP's EHLO, accepted on <c>lmtp</c> listeners only.</summary>
    Lhlo,
}

/// <summary>
/// What was wrong with a command line. Each value maps to exactly one reply in
/// <see cref="SmtpReplies.ForError(SmtpCommandError)"/>.
/// </summary>
public enum SmtpCommandError
{
    /// <summary>The command parsed.</summary>
    None = 0,

    /// <summary>The verb is not one Sluice knows, or the line is empty: <c>500 5.5.1</c>.</summary>
    UnknownCommand,

    /// <summary>Wrong arguments (missing, extra, malformed, a bare CR or LF in the line): <c>501 5.5.2</c>.</summary>
    Syntax,

    /// <summary>The MAIL FROM reverse-path is not a valid address: <c>501 5.1.8</c>.</summary>
    BadSenderAddress,

    /// <summary>The RCPT TO forward-path is not a valid address: <c>501 5.1.3</c>.</summary>
    BadRecipientAddress,

    /// <summary>An ESMTP parameter keyword Sluice does not know for this command: <c>555 5.5.4</c>.</summary>
    UnknownParameter,

    /// <summary>A known parameter with a value that is missing, superfluous or invalid: <c>501 5.5.4</c>.</summary>
    InvalidParameterValue,

    /// <summary>The same parameter twice, or two that exclude each other (HOLDFOR and HOLDUNTIL): <c>501 5.5.4</c>.</summary>
    DuplicateParameter,
}

/// <summary>The kind of the EHLO/HELO argument, for <c>session.ehlo.reject-non-fqdn</c>.</summary>
public enum HeloDomainKind
{
    /// <summary>No argument was given (EHLO/HELO then fails with a syntax error).</summary>
    None = 0,

    /// <summary>A syntactically valid domain with at least two labels.</summary>
    FullyQualified,

    /// <summary>A syntactically valid domain of one label (<c>localhost</c>, <c>mybox</c>).</summary>
    SingleLabel,

    /// <summary>A valid address literal (<c>[192.0.2.1]</c>, <c>[IPv6:2001:db8::1]</c>).</summary>
    AddressLiteral,

    /// <summary>Something else (underscores, a bare IP without brackets, ...). Accepted unless reject-non-fqdn is on.</summary>
    Invalid,
}

/// <summary>
/// One parsed SMTP command. A value type: reading a command allocates only the strings that must
/// outlive the input buffer (the address, the HELO name, kept parameter values).
/// </summary>
/// <remarks>
/// Which properties are meaningful depends on <see cref="Verb"/>:
/// EHLO/HELO → <see cref="Domain"/>, <see cref="DomainKind"/>;
/// MAIL/RCPT → <see cref="Path"/>, <see cref="Parameters"/>;
/// BDAT → <see cref="ChunkSize"/>, <see cref="IsLastChunk"/>;
/// AUTH → <see cref="AuthMechanism"/>, <see cref="Argument"/> (the initial response, if any);
/// VRFY/EXPN/HELP → <see cref="Argument"/>.
/// When <see cref="Error"/> is not <see cref="SmtpCommandError.None"/> only <see cref="Verb"/>
/// and <see cref="ErrorParameter"/> are meaningful.
/// </remarks>
public struct SmtpCommand
{
    /// <summary>The verb; <see cref="SmtpVerb.Unknown"/> for an unrecognised line.</summary>
    public SmtpVerb Verb { get; internal set; }

    /// <summary>Why the command cannot be executed, or <see cref="SmtpCommandError.None"/>.</summary>
    public SmtpCommandError Error { get; internal set; }

    /// <summary>For parameter errors: the known parameter that was invalid or repeated (None for an unknown keyword).</summary>
    public SmtpParameters ErrorParameter { get; internal set; }

    /// <summary>EHLO/HELO: the argument as sent (first word).</summary>
    public string? Domain { get; internal set; }

    /// <summary>EHLO/HELO: what kind of name <see cref="Domain"/> is.</summary>
    public HeloDomainKind DomainKind { get; internal set; }

    /// <summary>MAIL: the reverse-path; RCPT: the forward-path (source route removed).</summary>
    public SmtpPath Path { get; internal set; }

    /// <summary>MAIL/RCPT: the ESMTP parameters given, with their parsed values.</summary>
    public EsmtpParameters Parameters { get; internal set; }

    /// <summary>BDAT: the number of octets that follow the command line.</summary>
    public long ChunkSize { get; internal set; }

    /// <summary>BDAT: whether <c>LAST</c> was given.</summary>
    public bool IsLastChunk { get; internal set; }

    /// <summary>AUTH: the SASL mechanism name, upper-cased.</summary>
    public string? AuthMechanism { get; internal set; }

    /// <summary>VRFY/EXPN/HELP: the argument (trimmed); AUTH: the initial response (may be <c>=</c>); else null.</summary>
    public string? Argument { get; internal set; }

    /// <summary>True when the command parsed.</summary>
    public readonly bool IsValid => Error == SmtpCommandError.None;

    internal static SmtpCommand Failed(SmtpVerb verb, SmtpCommandError error, SmtpParameters parameter = SmtpParameters.None) =>
        new() { Verb = verb, Error = error, ErrorParameter = parameter };
}
