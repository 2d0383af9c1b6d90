namespace Sluice.Configuration.Settings;

/// <summary>The <c>[session]</c> limits of one connection (SPEC §2.4) and its stage sections (§2.5).</summary>
public sealed record SessionSettings
{
    /// <summary>Inactivity limit: no complete command or data read for this long.</summary>
    public required Rule<TimeSpan> Timeout { get; init; }

    /// <summary>Bytes received in one session.</summary>
    public required Rule<long> TransferLimit { get; init; }

    /// <summary>Whole session length.</summary>
    public required Rule<TimeSpan> Duration { get; init; }

    public required ConnectSettings Connect { get; init; }

    public required EhloSettings Ehlo { get; init; }

    public required ExtensionSettings Extensions { get; init; }

    public required AuthSettings Auth { get; init; }

    public required RcptSettings Rcpt { get; init; }

    public required DataSettings Data { get; init; }
}

/// <summary><c>[session.connect]</c>.</summary>
public sealed record ConnectSettings
{
    /// <summary>Text after <c>220 &lt;hostname&gt;</c>.</summary>
    public required Rule<string> Greeting { get; init; }
}

/// <summary><c>[session.ehlo]</c>.</summary>
public sealed record EhloSettings
{
    /// <summary>MAIL before EHLO/HELO is refused.</summary>
    public required Rule<bool> Require { get; init; }

    /// <summary>The EHLO argument must be a FQDN or an address literal.</summary>
    public required Rule<bool> RejectNonFqdn { get; init; }
}

/// <summary><c>[session.extensions]</c>: which optional SMTP extensions a session is offered.</summary>
public sealed record ExtensionSettings
{
    /// <summary>RFC 2920 PIPELINING.</summary>
    public required Rule<bool> Pipelining { get; init; }

    /// <summary>RFC 3030 CHUNKING (BDAT) and BINARYMIME.</summary>
    public required Rule<bool> Chunking { get; init; }

    /// <summary>RFC 8689 REQUIRETLS, advertised only inside TLS.</summary>
    public required Rule<bool> RequireTls { get; init; }
}

/// <summary><c>[session.rcpt]</c>.</summary>
public sealed record RcptSettings
{
    /// <summary>Recipients per message.</summary>
    public required Rule<int> MaxRecipients { get; init; }

    /// <summary>Refused recipients counted; the one that reaches this count is answered 451 4.3.0 and the session closes.</summary>
    public required Rule<int> ErrorsTotal { get; init; }

    /// <summary>Delay after each counted refusal.</summary>
    public required Rule<TimeSpan> ErrorsWait { get; init; }
}

/// <summary><c>[session.data]</c>.</summary>
public sealed record DataSettings
{
    public required DataLimits Limits { get; init; }

    public required AddHeaderSettings AddHeaders { get; init; }
}

/// <summary><c>[session.data.limits]</c>.</summary>
public sealed record DataLimits
{
    /// <summary>Messages per session.</summary>
    public required Rule<int> Messages { get; init; }

    /// <summary>Message size in bytes; advertised in <c>SIZE</c>.</summary>
    public required Rule<long> Size { get; init; }

    /// <summary>Received headers beyond which a message is taken for a loop.</summary>
    public required Rule<int> ReceivedHeaders { get; init; }
}

/// <summary><c>[session.data.add-headers]</c>: headers stamped on each accepted message (SPEC §4).</summary>
public sealed record AddHeaderSettings
{
    public required Rule<bool> Received { get; init; }

    /// <summary>Added only when the message has none.</summary>
    public required Rule<bool> MessageId { get; init; }

    /// <summary>Added only when the message has none.</summary>
    public required Rule<bool> Date { get; init; }

    public required Rule<bool> ReturnPath { get; init; }
}
