using Sluice.Configuration.Values;

namespace Sluice.Configuration.Settings;

/// <summary>
/// What decides who may send to whom and which optional extensions a session gets: recipient
/// validation against a directory, relay, address rewriting (<c>session.rcpt.*</c>,
/// <c>session.mail.rewrite</c>), the rule-driven extensions of <c>session.extensions.*</c>, VRFY/EXPN
/// and the <c>[[session.throttle]]</c> entries (SPEC §2.5, §2.6).
/// </summary>
public sealed record SessionPolicySettings
{
    /// <summary>Everything off: the development catch-all, no extensions beyond the basic ones, no throttles.</summary>
    public static SessionPolicySettings Defaults { get; } = new();

    /// <summary><c>session.rcpt.directory</c>: the directory that knows the local domains and mailboxes; "" for none (catch-all).</summary>
    public Rule<string> RcptDirectory { get; init; } = Rule<string>.Constant(string.Empty);

    /// <summary><c>session.rcpt.relay</c>: accept recipients in domains that are not local.</summary>
    public Rule<bool> Relay { get; init; } = Rule<bool>.Constant(false);

    /// <summary><c>session.rcpt.rewrite</c>: the new recipient address; null (<c>false</c>) keeps it.</summary>
    public Rule<string?> RcptRewrite { get; init; } = Rule<string?>.Constant(null);

    /// <summary><c>session.mail.rewrite</c>: the new sender address; null (<c>false</c>) keeps it.</summary>
    public Rule<string?> MailRewrite { get; init; } = Rule<string?>.Constant(null);

    /// <summary><c>session.extensions.vrfy</c>: VRFY answered from the directory.</summary>
    public Rule<bool> Vrfy { get; init; } = Rule<bool>.Constant(false);

    /// <summary><c>session.extensions.expn</c>: EXPN answered from the directory.</summary>
    public Rule<bool> Expn { get; init; } = Rule<bool>.Constant(false);

    /// <summary><c>session.extensions.dsn</c>: RFC 3461 NOTIFY, ORCPT, RET, ENVID.</summary>
    public Rule<bool> Dsn { get; init; } = Rule<bool>.Constant(false);

    /// <summary><c>session.extensions.future-release</c>: the longest hold (RFC 4865); null: off.</summary>
    public Rule<TimeSpan?> FutureRelease { get; init; } = Rule<TimeSpan?>.Constant(null);

    /// <summary><c>session.extensions.deliver-by</c>: the largest BY time (RFC 2852); null: off.</summary>
    public Rule<TimeSpan?> DeliverBy { get; init; } = Rule<TimeSpan?>.Constant(null);

    /// <summary><c>session.extensions.mt-priority</c>: the RFC 6710 policy; null: off.</summary>
    public Rule<MtPriorityPolicy?> MtPriority { get; init; } = Rule<MtPriorityPolicy?>.Constant(null);

    /// <summary><c>session.extensions.no-soliciting</c>: the keywords advertised (RFC 3865; "" for the bare keyword); null: off.</summary>
    public Rule<string?> NoSoliciting { get; init; } = Rule<string?>.Constant(null);

    /// <summary><c>[[session.throttle]]</c>, in file order.</summary>
    public IReadOnlyList<ThrottleSettings> Throttles { get; init; } = [];
}

/// <summary>The RFC 6710 priority assignment policies.</summary>
public enum MtPriorityPolicy
{
    /// <summary><c>MIXER</c> (RFC 6710 section 10.1).</summary>
    Mixer,

    /// <summary><c>STANAG4406</c> (RFC 6710 section 10.2).</summary>
    Stanag4406,

    /// <summary><c>NSEP</c> (RFC 6710 section 10.3).</summary>
    Nsep,
}

/// <summary>One <c>[[session.throttle]]</c> entry (SPEC §2.6).</summary>
public sealed record ThrottleSettings
{
    /// <summary>Where it was written, for messages: <c>session.throttle[0]</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The variables whose values make the bucket key; empty: one global bucket.</summary>
    public IReadOnlyList<RuleVariable> Key { get; init; } = [];

    /// <summary>Only sessions for which this holds are throttled; null: all.</summary>
    public RuleCondition? Match { get; init; }

    /// <summary>Sessions (keys known at connect) or open transactions (later keys) at once; null: no limit.</summary>
    public int? Concurrency { get; init; }

    /// <summary>How many per period; null: no limit.</summary>
    public RateValue? Rate { get; init; }
}
