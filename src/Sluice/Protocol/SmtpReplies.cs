namespace Sluice.Protocol;

/// <summary>
/// The fixed replies of SPEC §3, encoded once at start-up. Codes and enhanced codes are the contract;
/// the texts are Sluice's. Replies that carry run-time text (the greeting, the queue id, a Sieve reason)
/// are written with <see cref="SmtpReplyWriter.Write(System.Buffers.IBufferWriter{byte}, int, string?, ReadOnlySpan{char}, ReadOnlySpan{char})"/>
/// or built once per configuration with <see cref="Greeting"/> / <see cref="EhloReplyCache"/>.
/// </summary>
public static class SmtpReplies
{
    // Connection
    public static SmtpReply TooManyConnections { get; } = new(421, "4.3.2", "Too many connections, try again later");
    public static SmtpReply IdleTimeout { get; } = new(421, "4.4.2", "Idle timeout, closing connection");
    public static SmtpReply SessionDurationExceeded { get; } = new(421, "4.3.2", "Session duration exceeded, closing connection");
    public static SmtpReply TransferLimitExceeded { get; } = new(452, "4.7.28", "Transfer limit exceeded, closing connection");
    public static SmtpReply ShuttingDown { get; } = new(421, "4.3.0", "Server shutting down, try again later");
    public static SmtpReply LocalError { get; } = new(421, "4.3.0", "Local error, closing connection");
    public static SmtpReply LocalProcessingError { get; } = new(451, "4.3.0", "Local error in processing");
    public static SmtpReply Bye { get; } = new(221, "2.0.0", "Bye");

    // Command level
    public static SmtpReply UnknownCommand { get; } = new(500, "5.5.1", "Command not recognized");
    public static SmtpReply LineTooLong { get; } = new(554, "5.3.4", "Line too long");
    public static SmtpReply SyntaxError { get; } = new(501, "5.5.2", "Syntax error in arguments");
    public static SmtpReply UnknownParameter { get; } = new(555, "5.5.4", "Parameter not recognized or not supported");
    public static SmtpReply InvalidParameterValue { get; } = new(501, "5.5.4", "Invalid parameter value");
    public static SmtpReply DuplicateParameter { get; } = new(501, "5.5.4", "Duplicate or conflicting parameter");
    public static SmtpReply BadSenderAddress { get; } = new(501, "5.1.8", "Bad sender address syntax");
    public static SmtpReply BadRecipientAddress { get; } = new(501, "5.1.3", "Bad recipient address syntax");
    public static SmtpReply Ok { get; } = new(250, "2.0.0", "OK");
    public static SmtpReply Help { get; } = new(214, "2.0.0", "See RFC 5321");

    // EHLO / HELO
    public static SmtpReply EhloBadDomain { get; } = new(550, "5.5.0", "EHLO argument must be a fully qualified domain or address literal");

    // MAIL
    public static SmtpReply EhloRequired { get; } = new(503, "5.5.1", "Send EHLO or HELO first");
    public static SmtpReply TransactionInProgress { get; } = new(503, "5.5.1", "Nested MAIL command");
    public static SmtpReply AuthenticationRequired { get; } = new(503, "5.5.1", "Authentication required");
    public static SmtpReply MessageTooBig { get; } = new(552, "5.3.4", "Message size exceeds fixed maximum message size");
    public static SmtpReply SenderNotOwned { get; } = new(501, "5.5.4", "Sender address not owned by the authenticated user");
    public static SmtpReply SenderOk { get; } = new(250, "2.1.0", "Sender OK");
    public static SmtpReply TooManyMessages { get; } = new(452, "4.4.5", "Too many messages in this session");

    // RCPT
    public static SmtpReply MailRequired { get; } = new(503, "5.5.1", "Need MAIL before RCPT");
    public static SmtpReply MailboxUnknown { get; } = new(550, "5.1.2", "Mailbox does not exist");
    public static SmtpReply RelayDenied { get; } = new(550, "5.1.2", "Relay not allowed");
    public static SmtpReply TooManyRecipients { get; } = new(455, "4.5.3", "Too many recipients");
    public static SmtpReply TooManyInvalidRecipients { get; } = new(451, "4.3.0", "Too many invalid recipients, closing connection");
    public static SmtpReply RecipientOk { get; } = new(250, "2.1.5", "Recipient OK");

    /// <summary>A rate or transaction-concurrency throttle (SPEC §2.6).</summary>
    public static SmtpReply Throttled { get; } = new(452, "4.4.5", "Rate limit exceeded, try again later");

    /// <summary>Not in SPEC §3: an address with non-ASCII octets without SMTPUTF8 on MAIL (RFC 6531 3.7.4.1, RFC 6533).</summary>
    public static SmtpReply NonAsciiAddressWithoutSmtpUtf8 { get; } = new(553, "5.6.7", "Non-ASCII address requires SMTPUTF8");

    // DATA / BDAT
    public static SmtpReply RecipientRequired { get; } = new(503, "5.5.1", "Need RCPT before DATA");
    public static SmtpReply StartMailInput { get; } = new(354, null, "End data with <CR><LF>.<CR><LF>");
    public static SmtpReply ChunkOk { get; } = new(250, "2.6.0", "Chunk accepted");
    public static SmtpReply TooManyReceivedHeaders { get; } = new(450, "4.4.6", "Too many Received headers, possible mail loop");
    public static SmtpReply MessageNotParsable { get; } = new(550, "5.7.7", "Message cannot be parsed");
    public static SmtpReply StorageFailure { get; } = new(452, "4.3.1", "Insufficient system storage");

    // STARTTLS
    public static SmtpReply ReadyToStartTls { get; } = new(220, "2.0.0", "Ready to start TLS");
    public static SmtpReply TlsNotAvailable { get; } = new(502, "5.7.0", "TLS not available");
    public static SmtpReply AlreadyTls { get; } = new(504, "5.7.4", "Already in TLS");

    // AUTH
    public static SmtpReply AuthSucceeded { get; } = new(235, "2.7.0", "Authentication successful");
    public static SmtpReply AuthFailed { get; } = new(535, "5.7.8", "Authentication credentials invalid");
    public static SmtpReply AuthMechanismUnknown { get; } = new(504, "5.5.4", "Unrecognized authentication mechanism");
    public static SmtpReply AuthNotAvailable { get; } = new(503, "5.5.1", "AUTH not available");
    public static SmtpReply AlreadyAuthenticated { get; } = new(503, "5.5.1", "Already authenticated");
    public static SmtpReply AuthCancelled { get; } = new(501, "5.7.0", "Authentication cancelled");
    public static SmtpReply AuthBadBase64 { get; } = new(501, "5.5.2", "Invalid base64 data");
    public static SmtpReply TooManyAuthFailures { get; } = new(455, "4.3.0", "Too many authentication failures, closing connection");

    // VRFY / EXPN
    public static SmtpReply VrfyDisabled { get; } = new(252, "2.5.1", "Cannot VRFY user, but will accept message and attempt delivery");
    public static SmtpReply AddressUnknown { get; } = new(550, "5.1.2", "Address unknown");

    // Sieve (SPEC §2.8)
    public static SmtpReply ScriptFailed { get; } = new(451, "4.3.0", "Temporary error evaluating script");
    public static SmtpReply ScriptFailedAtConnect { get; } = new(421, "4.3.0", "Temporary error evaluating script, closing connection");

    /// <summary>The reply for a command the parser refused.</summary>
    public static SmtpReply ForError(SmtpCommandError error) => error switch
    {
        SmtpCommandError.UnknownCommand => UnknownCommand,
        SmtpCommandError.Syntax => SyntaxError,
        SmtpCommandError.BadSenderAddress => BadSenderAddress,
        SmtpCommandError.BadRecipientAddress => BadRecipientAddress,
        SmtpCommandError.UnknownParameter => UnknownParameter,
        SmtpCommandError.InvalidParameterValue => InvalidParameterValue,
        SmtpCommandError.DuplicateParameter => DuplicateParameter,
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "Not an error."),
    };

    /// <summary>The greeting <c>220 &lt;hostname&gt; &lt;greeting&gt;</c>; build it once per configuration.</summary>
    public static SmtpReply Greeting(string hostname, string greeting) => new(220, null, hostname + " " + greeting);

    /// <summary>A Sieve rejection at a stage: the script's own reply when it starts with a code, else <c>503 5.5.3 text</c>.</summary>
    public static SmtpReply SieveReject(string text) => SmtpReply.FromText(text, 503, "5.5.3");

    /// <summary>A Sieve rejection at connect: the script's own reply when it starts with a code, else <c>554 5.7.1 text</c>.</summary>
    public static SmtpReply SieveRejectAtConnect(string text) => SmtpReply.FromText(text, 554, "5.7.1");
}
