using System.Net;
using Sluice.Configuration;
using Sluice.Protocol;

namespace Sluice.Stages;

/// <summary>One recipient of the open transaction.</summary>
public sealed record TransactionRecipient(string Address, string? Orcpt, DsnNotify Notify);

/// <summary>
/// What a stage can know about the session: the connection, what the client has said so far,
/// and the open mail transaction. The session owns and updates it; middleware reads it.
/// </summary>
public sealed class SmtpSessionInfo
{
    private readonly List<TransactionRecipient> _recipients = [];

    internal SmtpSessionInfo(string connectionId, string listenerId, IPEndPoint? remote, IPEndPoint? local, CancellationToken aborted)
    {
        ConnectionId = connectionId;
        ListenerId = listenerId;
        RemoteEndPoint = remote;
        LocalEndPoint = local;
        Aborted = aborted;
        Rules = new RuleContext
        {
            Listener = listenerId,
            RemoteIp = remote?.Address,
            RemotePort = remote?.Port ?? 0,
            LocalIp = local?.Address,
            LocalPort = local?.Port ?? 0,
        };
    }

    public string ConnectionId { get; }

    /// <summary>The listener id (the <c>listener</c> rule variable).</summary>
    public string ListenerId { get; }

    public IPEndPoint? RemoteEndPoint { get; }

    public IPEndPoint? LocalEndPoint { get; }

    public CancellationToken Aborted { get; }

    /// <summary>The variables rules are evaluated against for this session.</summary>
    public RuleContext Rules { get; }

    /// <summary>The EHLO/HELO domain; null before the client introduced itself.</summary>
    public string? HeloDomain { get; internal set; }

    /// <summary>True after EHLO (false after HELO or before either).</summary>
    public bool IsExtended { get; internal set; }

    public bool IsTls { get; internal set; }

    /// <summary>True on an <c>lmtp</c> listener (RFC 2033).</summary>
    public bool IsLmtp { get; internal set; }

    /// <summary>The negotiated TLS version (<c>TLSv1.3</c>), null without TLS.</summary>
    public string? TlsProtocol { get; internal set; }

    /// <summary>The negotiated cipher suite, null without TLS.</summary>
    public string? TlsCipher { get; internal set; }

    /// <summary>The authenticated user; null when not authenticated.</summary>
    public string? AuthenticatedAs { get; internal set; }

    /// <summary>The addresses the authenticated user may send from (<c>must-match-sender</c>).</summary>
    public IReadOnlyList<string> AuthenticatedAddresses { get; internal set; } = [];

    /// <summary>Messages accepted in this session so far.</summary>
    public int MessagesAccepted { get; internal set; }

    /// <summary>Recipients refused in a counted way (<c>session.rcpt.errors.total</c>).</summary>
    public int RecipientErrors { get; internal set; }

    /// <summary>True between an accepted MAIL and the end of the message (or RSET).</summary>
    public bool InTransaction { get; internal set; }

    /// <summary>The sender of the open transaction ("" for the null sender).</summary>
    public string Sender { get; internal set; } = string.Empty;

    /// <summary>The MAIL parameters of the open transaction.</summary>
    public EsmtpParameters MailParameters { get; internal set; }

    /// <summary>The accepted recipients of the open transaction, in order.</summary>
    public IReadOnlyList<TransactionRecipient> Recipients => _recipients;

    /// <summary>A place for middleware to keep its own per-session state.</summary>
    public IDictionary<string, object?> Items => _items ??= new Dictionary<string, object?>(StringComparer.Ordinal);

    private Dictionary<string, object?>? _items;

    /// <summary>The throttle places this session holds (null until a throttle counts it).</summary>
    internal Throttles.ThrottleLeases? Throttles { get; set; }

    /// <summary>A folder hint for the stored message (Sieve <c>fileinto</c>); null when none.</summary>
    public string? Folder { get; internal set; }

    internal void AddRecipient(TransactionRecipient recipient) => _recipients.Add(recipient);

    /// <summary>Replaces every recipient of the open transaction (Sieve <c>redirect</c> at DATA).</summary>
    internal void ReplaceRecipients(IEnumerable<TransactionRecipient> recipients)
    {
        var list = recipients.ToList();
        _recipients.Clear();
        _recipients.AddRange(list);
    }

    internal void OpenTransaction(string sender, EsmtpParameters parameters)
    {
        _recipients.Clear();
        Sender = sender;
        MailParameters = parameters;
        InTransaction = true;
    }

    internal void ResetTransaction()
    {
        Throttles?.ReleaseTransaction();
        Rules.ClearTransaction();
        _recipients.Clear();
        Folder = null;
        Sender = string.Empty;
        MailParameters = default;
        InTransaction = false;
    }
}
