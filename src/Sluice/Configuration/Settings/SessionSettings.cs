namespace Sluice.Configuration.Settings;

/// <summary>The <c>[session]</c> limits of one connection (SPEC §2.4) and its stage sections.</summary>
public sealed record SessionSettings
{
    /// <summary>Inactivity limit: no complete command or data read for this long.</summary>
    public required Rule<TimeSpan> Timeout { get; init; }

    /// <summary>Bytes received in one session.</summary>
    public required Rule<long> TransferLimit { get; init; }

    /// <summary>Whole session length.</summary>
    public required Rule<TimeSpan> Duration { get; init; }

    public required DataSettings Data { get; init; }
}

/// <summary><c>[session.data]</c>.</summary>
public sealed record DataSettings
{
    public required DataLimits Limits { get; init; }
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
