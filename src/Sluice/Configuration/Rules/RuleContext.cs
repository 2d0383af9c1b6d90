using System.Globalization;
using System.Net;

namespace Sluice.Configuration;

/// <summary>
/// The variables of one session that rules are evaluated against (SPEC §2.2). The session owns one
/// context and fills it in as stages progress: endpoints and <see cref="Listener"/> when the
/// connection opens, <see cref="HeloDomain"/> at EHLO, <see cref="AuthenticatedAs"/> after AUTH,
/// <see cref="Sender"/> at MAIL, <see cref="Recipient"/> for each RCPT, <see cref="IsTls"/> after
/// STARTTLS. Anything not known yet reads as the empty string.
/// </summary>
/// <remarks>
/// Each variable's text is computed once, when it is set (an address or a port turned into a
/// string, the domain cut from an address), so evaluating a rule reads strings and allocates
/// nothing. Values keep the case the client sent; rules compare ignoring case (see
/// <see cref="Rules.RuleCompiler"/>). A context belongs to one session and is not thread-safe.
/// </remarks>
public sealed class RuleContext
{
    private readonly string[] _values = new string[RuleVariables.Count];
    private IPAddress? _remoteIp;
    private IPAddress? _localIp;
    private int _remotePort;
    private int _localPort;
    private int? _priority;
    private bool _isTls;

    public RuleContext()
    {
        Array.Fill(_values, string.Empty);
        _values[(int)RuleVariable.IsTls] = "false";
    }

    /// <summary><c>remote-ip</c>. An IPv4-mapped IPv6 address (a dual-stack socket) is stored as the IPv4 address.</summary>
    public IPAddress? RemoteIp
    {
        get => _remoteIp;
        set => _remoteIp = SetAddress(RuleVariable.RemoteIp, value);
    }

    /// <summary><c>remote-port</c>; 0 reads as "".</summary>
    public int RemotePort
    {
        get => _remotePort;
        set => _remotePort = SetPort(RuleVariable.RemotePort, value);
    }

    /// <summary><c>local-ip</c>. An IPv4-mapped IPv6 address is stored as the IPv4 address.</summary>
    public IPAddress? LocalIp
    {
        get => _localIp;
        set => _localIp = SetAddress(RuleVariable.LocalIp, value);
    }

    /// <summary><c>local-port</c>; 0 reads as "".</summary>
    public int LocalPort
    {
        get => _localPort;
        set => _localPort = SetPort(RuleVariable.LocalPort, value);
    }

    /// <summary><c>listener</c>: the listener id.</summary>
    public string Listener
    {
        get => _values[(int)RuleVariable.Listener];
        set => _values[(int)RuleVariable.Listener] = value ?? string.Empty;
    }

    /// <summary><c>helo-domain</c>: the EHLO/HELO/LHLO argument.</summary>
    public string HeloDomain
    {
        get => _values[(int)RuleVariable.HeloDomain];
        set => _values[(int)RuleVariable.HeloDomain] = value ?? string.Empty;
    }

    /// <summary><c>sender</c>: the MAIL FROM address without brackets ("" for the null sender). Sets <see cref="SenderDomain"/> too.</summary>
    public string Sender
    {
        get => _values[(int)RuleVariable.Sender];
        set => SetAddressText(RuleVariable.Sender, RuleVariable.SenderDomain, value);
    }

    /// <summary><c>sender-domain</c>: what follows the last <c>@</c> of <see cref="Sender"/>.</summary>
    public string SenderDomain => _values[(int)RuleVariable.SenderDomain];

    /// <summary><c>rcpt</c>: the recipient being handled. Sets <see cref="RecipientDomain"/> too.</summary>
    public string Recipient
    {
        get => _values[(int)RuleVariable.Recipient];
        set => SetAddressText(RuleVariable.Recipient, RuleVariable.RecipientDomain, value);
    }

    /// <summary><c>rcpt-domain</c>: what follows the last <c>@</c> of <see cref="Recipient"/>.</summary>
    public string RecipientDomain => _values[(int)RuleVariable.RecipientDomain];

    /// <summary><c>authenticated-as</c>: the authenticated identity, "" when not authenticated.</summary>
    public string AuthenticatedAs
    {
        get => _values[(int)RuleVariable.AuthenticatedAs];
        set => _values[(int)RuleVariable.AuthenticatedAs] = value ?? string.Empty;
    }

    /// <summary><c>priority</c>: the MT-PRIORITY (-9..9) of the transaction; null (reads as "") when none was given.</summary>
    public int? Priority
    {
        get => _priority;
        set
        {
            _priority = value;
            _values[(int)RuleVariable.Priority] = value is { } p ? p.ToString(CultureInfo.InvariantCulture) : string.Empty;
        }
    }

    /// <summary><c>is-tls</c>: reads as <c>"true"</c> or <c>"false"</c>.</summary>
    public bool IsTls
    {
        get => _isTls;
        set
        {
            _isTls = value;
            _values[(int)RuleVariable.IsTls] = value ? "true" : "false";
        }
    }

    /// <summary>The text of <paramref name="variable"/> as conditions see it; "" when not known yet.</summary>
    public string ValueOf(RuleVariable variable) => _values[(int)variable];

    /// <summary>The address held by an IP variable (<c>remote-ip</c>, <c>local-ip</c>); null for others or when unknown.</summary>
    public IPAddress? AddressOf(RuleVariable variable) => variable switch
    {
        RuleVariable.RemoteIp => _remoteIp,
        RuleVariable.LocalIp => _localIp,
        _ => null,
    };

    /// <summary>Sets the four endpoint variables at once, as the connection opens.</summary>
    public void SetEndpoints(IPEndPoint? remote, IPEndPoint? local)
    {
        RemoteIp = remote?.Address;
        RemotePort = remote?.Port ?? 0;
        LocalIp = local?.Address;
        LocalPort = local?.Port ?? 0;
    }

    /// <summary>Forgets the transaction's variables (<c>sender</c>, <c>rcpt</c>, <c>priority</c>): after RSET or the end of a message.</summary>
    public void ClearTransaction()
    {
        Sender = string.Empty;
        Recipient = string.Empty;
        Priority = null;
    }

    private IPAddress? SetAddress(RuleVariable variable, IPAddress? address)
    {
        if (address is { IsIPv4MappedToIPv6: true })
        {
            address = address.MapToIPv4();
        }
        _values[(int)variable] = address?.ToString() ?? string.Empty;
        return address;
    }

    private int SetPort(RuleVariable variable, int port)
    {
        _values[(int)variable] = port == 0 ? string.Empty : port.ToString(CultureInfo.InvariantCulture);
        return port;
    }

    private void SetAddressText(RuleVariable address, RuleVariable domain, string? value)
    {
        value ??= string.Empty;
        _values[(int)address] = value;
        var at = value.LastIndexOf('@');
        _values[(int)domain] = at < 0 ? string.Empty : value[(at + 1)..];
    }
}
