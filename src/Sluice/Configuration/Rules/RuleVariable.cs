using System.Diagnostics.CodeAnalysis;

namespace Sluice.Configuration;

/// <summary>
/// The session variables a rule can test (SPEC §2.2). The numeric values index
/// <see cref="RuleContext"/>'s storage, so a condition reads its variable without a lookup.
/// </summary>
public enum RuleVariable
{
    /// <summary><c>remote-ip</c>: the client's address (IPv4-mapped IPv6 shown as IPv4).</summary>
    RemoteIp,

    /// <summary><c>remote-port</c>.</summary>
    RemotePort,

    /// <summary><c>local-ip</c>: the address the client connected to.</summary>
    LocalIp,

    /// <summary><c>local-port</c>.</summary>
    LocalPort,

    /// <summary><c>listener</c>: the id of the <c>[server.listener.&lt;id&gt;]</c> that accepted the connection.</summary>
    Listener,

    /// <summary><c>helo-domain</c>: the EHLO/HELO/LHLO argument.</summary>
    HeloDomain,

    /// <summary><c>sender</c>: the MAIL FROM address ("" for the null sender).</summary>
    Sender,

    /// <summary><c>sender-domain</c>: the part of <c>sender</c> after its last <c>@</c>.</summary>
    SenderDomain,

    /// <summary><c>rcpt</c>: the RCPT TO address being handled.</summary>
    Recipient,

    /// <summary><c>rcpt-domain</c>: the part of <c>rcpt</c> after its last <c>@</c>.</summary>
    RecipientDomain,

    /// <summary><c>authenticated-as</c>: the AUTH identity; "" when not authenticated.</summary>
    AuthenticatedAs,

    /// <summary><c>priority</c>: the MT-PRIORITY of the transaction, <c>-9</c>..<c>9</c>; "" when none was given.</summary>
    Priority,

    /// <summary><c>is-tls</c>: <c>"true"</c> once the connection runs over TLS, else <c>"false"</c>.</summary>
    IsTls,
}

/// <summary>The configuration names of <see cref="RuleVariable"/>.</summary>
public static class RuleVariables
{
    /// <summary>How many variables there are (the size of a context's storage).</summary>
    public const int Count = (int)RuleVariable.IsTls + 1;

    private static readonly string[] s_names =
    [
        "remote-ip", "remote-port", "local-ip", "local-port", "listener", "helo-domain",
        "sender", "sender-domain", "rcpt", "rcpt-domain", "authenticated-as", "priority", "is-tls",
    ];

    /// <summary>Every variable name, in the order of the enum: for error messages.</summary>
    public static IReadOnlyList<string> Names => s_names;

    /// <summary>The configuration name of <paramref name="variable"/>, e.g. <c>remote-ip</c>.</summary>
    public static string Name(RuleVariable variable) => s_names[(int)variable];

    /// <summary>Parses a configuration name (case-insensitive); false for anything else.</summary>
    public static bool TryParse([NotNullWhen(true)] string? name, out RuleVariable variable)
    {
        for (var i = 0; i < s_names.Length; i++)
        {
            if (string.Equals(s_names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                variable = (RuleVariable)i;
                return true;
            }
        }
        variable = default;
        return false;
    }

    /// <summary>True for the variables that hold an IP address (<c>eq</c>/<c>ne</c> take CIDR, <c>in-list</c> matches networks).</summary>
    public static bool IsAddress(RuleVariable variable) => variable is RuleVariable.RemoteIp or RuleVariable.LocalIp;
}
