using Sluice.Protocol;

namespace Sluice.Stages;

/// <summary>
/// What every stage sees: the session, and the reply the stage will send. A step refuses by setting
/// <see cref="Reply"/> and not calling the next step; the terminal step sets the success reply.
/// One instance per stage per session, reused for each command (no allocation per command).
/// </summary>
public abstract class SmtpStageContext
{
    protected SmtpStageContext(SmtpSessionInfo session) => Session = session;

    public SmtpSessionInfo Session { get; }

    /// <summary>The reply to send; null until a step decides.</summary>
    public SmtpReply? Reply { get; set; }

    /// <summary>When true the session closes after the reply is sent.</summary>
    public bool CloseAfterReply { get; set; }

    /// <summary>Cancelled when the session ends (timeout, duration, disconnect, shutdown).</summary>
    public CancellationToken Aborted => Session.Aborted;

    /// <summary>True when the stage's terminal step ran: every check passed and the session commits the change.</summary>
    public bool Accepted { get; internal set; }

    /// <summary>Refuses with <paramref name="reply"/>: a step calls this and returns without calling next.</summary>
    public void Refuse(SmtpReply reply, bool close = false)
    {
        Reply = reply;
        CloseAfterReply = close;
    }

    internal void Reset()
    {
        Reply = null;
        CloseAfterReply = false;
        Accepted = false;
    }
}

/// <summary>The connect stage: runs once when the connection opens, before the greeting.</summary>
public sealed class ConnectContext(SmtpSessionInfo session) : SmtpStageContext(session);

/// <summary>The EHLO/HELO stage.</summary>
public sealed class EhloContext(SmtpSessionInfo session) : SmtpStageContext(session)
{
    /// <summary>True for EHLO, false for HELO.</summary>
    public bool IsExtended { get; internal set; }

    /// <summary>The domain (or address literal) the client gave.</summary>
    public string Domain { get; internal set; } = string.Empty;

    public HeloDomainKind DomainKind { get; internal set; }
}

/// <summary>The AUTH stage (filled by the TLS/AUTH work; today AUTH is not offered).</summary>
public sealed class AuthContext(SmtpSessionInfo session) : SmtpStageContext(session)
{
    public string Mechanism { get; internal set; } = string.Empty;
}

/// <summary>The MAIL FROM stage.</summary>
public sealed class MailContext(SmtpSessionInfo session) : SmtpStageContext(session)
{
    /// <summary>The reverse-path as sent.</summary>
    public SmtpPath From { get; internal set; }

    /// <summary>The sender address the transaction will store; a step may rewrite it ("" is the null sender).</summary>
    public string Sender { get; set; } = string.Empty;

    public EsmtpParameters Parameters { get; internal set; }
}

/// <summary>The RCPT TO stage, once per recipient.</summary>
public sealed class RcptContext(SmtpSessionInfo session) : SmtpStageContext(session)
{
    /// <summary>The forward-path as sent.</summary>
    public SmtpPath To { get; internal set; }

    /// <summary>The recipient address the transaction will store; a step may rewrite it.</summary>
    public string Recipient { get; set; } = string.Empty;

    public EsmtpParameters Parameters { get; internal set; }

    /// <summary>Set by a step that refuses a recipient in a way <c>session.rcpt.errors.total</c> counts
    /// (bad address, unknown mailbox, relay denied). Limits (452, 455) are not counted.</summary>
    public bool CountsAsError { get; set; }
}

/// <summary>The DATA/BDAT stage: runs on the whole message after its last byte, before it is committed.</summary>
public sealed class DataContext(SmtpSessionInfo session) : SmtpStageContext(session)
{
    /// <summary>The queue id the message will have.</summary>
    public string MessageId { get; internal set; } = string.Empty;

    /// <summary>Octets of the message as received (after dot-unstuffing), without added headers.</summary>
    public long Size { get; internal set; }

    /// <summary>Received header fields the message arrived with.</summary>
    public int ReceivedHeaders { get; internal set; }

    /// <summary>True when the message came with BDAT.</summary>
    public bool IsChunked { get; internal set; }

    /// <summary>True when the whole message is held for this stage (a DATA script is configured for the session);
    /// otherwise only its size and counts are known and it is already streaming to the store.</summary>
    public bool HasMessage => HeldMessage is not null;

    /// <summary>Bytes to store instead of the message as received (after a script edited it); null keeps it.</summary>
    public ReadOnlyMemory<byte>? ReplacementMessage { get; set; }

    /// <summary>When set on an accepted message, the client gets 250 with the id but nothing is stored.</summary>
    public bool Discard { get; set; }

    internal Session.MessageSink? HeldMessage { get; set; }

    /// <summary>The message as received (after dot-unstuffing, without the headers Sluice adds).</summary>
    /// <exception cref="InvalidOperationException">The message is not held (<see cref="HasMessage"/> is false).</exception>
    public ValueTask<byte[]> ReadMessageAsync(CancellationToken cancellationToken) =>
        HeldMessage is { } held ? held.ReadHeldAsync(cancellationToken) : throw new InvalidOperationException("the message is not held for this stage");

    internal void ResetMessage(Session.MessageSink? held)
    {
        HeldMessage = held;
        ReplacementMessage = null;
        Discard = false;
    }
}
