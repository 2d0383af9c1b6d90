using Sluice.Configuration;
using Sluice.Configuration.Settings;

namespace Sluice.Stages.Throttles;

/// <summary>The first stage at which every variable a throttle reads is known (SPEC §2.6).</summary>
public enum ThrottleStage
{
    /// <summary><c>remote-ip</c>, <c>remote-port</c>, <c>local-ip</c>, <c>local-port</c>, <c>listener</c>, <c>is-tls</c>.</summary>
    Connect,

    /// <summary><c>helo-domain</c>.</summary>
    Ehlo,

    /// <summary><c>sender</c>, <c>sender-domain</c>, <c>authenticated-as</c>, <c>priority</c>.</summary>
    Mail,

    /// <summary><c>rcpt</c>, <c>rcpt-domain</c>.</summary>
    Rcpt,
}

/// <summary>One <c>[[session.throttle]]</c> ready to run: its stage, its key, and its limiters (shared by every session).</summary>
internal sealed class Throttle
{
    public Throttle(ThrottleSettings settings, TimeProvider time, int maxKeys = KeyedRateLimiter.DefaultMaxKeys)
    {
        Settings = settings;
        _key = [.. settings.Key];
        var stage = ThrottleStage.Connect;
        foreach (var variable in _key)
        {
            stage = Max(stage, StageOf(variable));
        }
        if (settings.Match is { } match)
        {
            for (var v = 0; v < RuleVariables.Count; v++)
            {
                if (match.DependsOn((RuleVariable)v))
                {
                    stage = Max(stage, StageOf((RuleVariable)v));
                }
            }
        }
        Stage = stage;
        Concurrency = settings.Concurrency is { } limit ? new KeyedConcurrencyLimiter(limit) : null;
        Rate = settings.Rate is { } rate ? new KeyedRateLimiter(rate.Count, rate.Period, time, maxKeys) : null;
    }

    private readonly RuleVariable[] _key;

    public ThrottleSettings Settings { get; }

    public ThrottleStage Stage { get; }

    /// <summary>True when the concurrency limit counts sessions (its keys are known at connect); else it counts open transactions.</summary>
    public bool CountsSessions => Stage == ThrottleStage.Connect;

    public KeyedConcurrencyLimiter? Concurrency { get; }

    public KeyedRateLimiter? Rate { get; }

    /// <summary>True when the throttle's <c>match</c> holds (or it has none).</summary>
    public bool Applies(RuleContext rules) => Settings.Match is null || Settings.Match.IsTrue(rules);

    /// <summary>The bucket key: the values of the key variables ("" for the one global bucket).</summary>
    public string KeyOf(RuleContext rules)
    {
        switch (_key.Length)
        {
            case 0:
                return string.Empty;
            case 1:
                return rules.ValueOf(_key[0]).ToLowerInvariant();
            default:
                var parts = new string[_key.Length];
                for (var i = 0; i < parts.Length; i++)
                {
                    parts[i] = rules.ValueOf(_key[i]).ToLowerInvariant();
                }
                return string.Join('\0', parts);
        }
    }

    public static ThrottleStage StageOf(RuleVariable variable) => variable switch
    {
        RuleVariable.HeloDomain => ThrottleStage.Ehlo,
        RuleVariable.Sender or RuleVariable.SenderDomain or RuleVariable.AuthenticatedAs or RuleVariable.Priority => ThrottleStage.Mail,
        RuleVariable.Recipient or RuleVariable.RecipientDomain => ThrottleStage.Rcpt,
        _ => ThrottleStage.Connect,
    };

    private static ThrottleStage Max(ThrottleStage a, ThrottleStage b) => a > b ? a : b;
}

/// <summary>Every configured throttle, built once at start-up and shared by all sessions.</summary>
internal sealed class ThrottleRegistry
{
    public ThrottleRegistry(IReadOnlyList<ThrottleSettings> settings, TimeProvider time)
    {
        All = [.. settings.Select(s => new Throttle(s, time))];
    }

    public IReadOnlyList<Throttle> All { get; }

    public bool IsEmpty => All.Count == 0;
}

/// <summary>
/// The concurrency places one session holds: for the session (released when it ends) and for the
/// open transaction (released when it ends: message stored or refused, RSET, EHLO, disconnect).
/// </summary>
internal sealed class ThrottleLeases
{
    private readonly List<(KeyedConcurrencyLimiter Limiter, string Key)> _session = [];
    private readonly List<(KeyedConcurrencyLimiter Limiter, string Key)> _transaction = [];

    public void HoldForSession(KeyedConcurrencyLimiter limiter, string key) => _session.Add((limiter, key));

    /// <summary>True when this transaction already holds <paramref name="key"/> of <paramref name="limiter"/> (two recipients of one domain count once).</summary>
    public bool HoldsForTransaction(KeyedConcurrencyLimiter limiter, string key)
    {
        foreach (var (l, k) in _transaction)
        {
            if (ReferenceEquals(l, limiter) && string.Equals(k, key, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    public void HoldForTransaction(KeyedConcurrencyLimiter limiter, string key) => _transaction.Add((limiter, key));

    public void ReleaseTransaction()
    {
        foreach (var (limiter, key) in _transaction)
        {
            limiter.Release(key);
        }
        _transaction.Clear();
    }

    public void ReleaseAll()
    {
        ReleaseTransaction();
        foreach (var (limiter, key) in _session)
        {
            limiter.Release(key);
        }
        _session.Clear();
    }
}
