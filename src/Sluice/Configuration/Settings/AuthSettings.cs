namespace Sluice.Configuration.Settings;

/// <summary><c>[session.auth]</c> (SPEC §2.5).</summary>
public sealed record AuthSettings
{
    /// <summary>SASL mechanisms offered (lower-case: plain, login, oauthbearer, xoauth2); empty: AUTH not offered.</summary>
    public required Rule<IReadOnlyList<string>> Mechanisms { get; init; }

    /// <summary>Id of the directory that checks credentials ("" for none).</summary>
    public required Rule<string> Directory { get; init; }

    /// <summary>MAIL is refused until the client has authenticated.</summary>
    public required Rule<bool> Require { get; init; }

    /// <summary>Offer AUTH before TLS.</summary>
    public required Rule<bool> AllowPlainText { get; init; }

    /// <summary>An authenticated user may only send from its own addresses.</summary>
    public required Rule<bool> MustMatchSender { get; init; }

    /// <summary>Failed AUTH exchanges counted; the one that reaches this is answered 455 4.3.0 and the session closes.</summary>
    public required Rule<int> ErrorsTotal { get; init; }

    /// <summary>Delay after each failed AUTH exchange.</summary>
    public required Rule<TimeSpan> ErrorsWait { get; init; }

    public required OAuthSettings OAuth { get; init; }
}

/// <summary><c>[session.auth.oauth]</c>: how OAUTHBEARER and XOAUTH2 tokens are validated.</summary>
public sealed record OAuthSettings
{
    public string? Issuer { get; init; }

    public string? Audience { get; init; }

    /// <summary>PEM public key (already read when given as <c>file://</c>).</summary>
    public string? Key { get; init; }

    /// <summary>JWKS document (already read when given as <c>file://</c>).</summary>
    public string? Jwks { get; init; }
}
