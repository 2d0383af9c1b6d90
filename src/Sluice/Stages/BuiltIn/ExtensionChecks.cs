using Sluice.Configuration;
using Sluice.Configuration.Settings;
using Sluice.Protocol;

namespace Sluice.Stages.BuiltIn;

/// <summary>
/// The rule-driven extensions of <c>session.extensions.*</c> (SPEC §2.5): what EHLO advertises for
/// this session, and the MAIL/RCPT parameters of each — 555 5.5.4 when the extension is off for the
/// session, 501 5.5.4 for a value outside what it allows (SPEC §3).
/// </summary>
internal static class ExtensionChecks
{
    public const string MailParameters = "sluice.mail.extension-parameters";

    private const SmtpParameters DsnMail = SmtpParameters.Ret | SmtpParameters.EnvId;
    private const SmtpParameters DsnRcpt = SmtpParameters.Notify | SmtpParameters.Orcpt;
    private const SmtpParameters FutureRelease = SmtpParameters.HoldFor | SmtpParameters.HoldUntil;

    private static readonly SmtpReply s_holdTooLong = new(501, "5.5.4", "HOLDFOR/HOLDUNTIL is beyond the maximum hold time");
    private static readonly SmtpReply s_byTooLong = new(501, "5.5.4", "BY time is beyond the maximum");
    private static readonly SmtpReply s_byNotPositive = new(501, "5.5.4", "BY time must be positive with mode N");

    /// <summary>Adds what the rules turn on for this session to <paramref name="capabilities"/>.</summary>
    public static EhloCapabilities Advertise(EhloCapabilities capabilities, SluiceSettings settings, RuleContext rules)
    {
        var policy = settings.Session.Policy;
        return capabilities with
        {
            Dsn = policy.Dsn.Evaluate(rules),
            DeliverBy = policy.DeliverBy.Evaluate(rules) is not null,
            FutureReleaseMaxSeconds = policy.FutureRelease.Evaluate(rules) is { } hold ? (long)hold.TotalSeconds : null,
            MtPriorityProfile = policy.MtPriority.Evaluate(rules) switch
            {
                MtPriorityPolicy.Mixer => "MIXER",
                MtPriorityPolicy.Stanag4406 => "STANAG4406",
                MtPriorityPolicy.Nsep => "NSEP",
                _ => null,
            },
            NoSoliciting = policy.NoSoliciting.Evaluate(rules),
        };
    }

    /// <summary>DSN (RET, ENVID), FUTURERELEASE (HOLDFOR, HOLDUNTIL), DELIVERBY (BY) and MT-PRIORITY on MAIL.</summary>
    public static SmtpStageDelegate<MailContext> MailParametersCheck(SmtpStageDelegate<MailContext> next, SluiceSettings settings, TimeProvider time) => context =>
    {
        if (Check(context.Parameters, settings.Session.Policy, context.Session.Rules, time) is { } refusal)
        {
            context.Refuse(refusal);
            return ValueTask.CompletedTask;
        }
        if (context.Parameters.Has(SmtpParameters.MtPriority))
        {
            context.Session.Rules.Priority = context.Parameters.MtPriority;
        }
        return next(context);
    };

    /// <summary>DSN's NOTIFY and ORCPT on RCPT need DSN on for the session.</summary>
    public static bool RcptParametersOffered(in EsmtpParameters parameters, SluiceSettings settings, RuleContext rules) =>
        (parameters.Present & DsnRcpt) == 0 || settings.Session.Policy.Dsn.Evaluate(rules);

    private static SmtpReply? Check(in EsmtpParameters p, SessionPolicySettings policy, RuleContext rules, TimeProvider time)
    {
        if ((p.Present & DsnMail) != 0 && !policy.Dsn.Evaluate(rules))
        {
            return SmtpReplies.UnknownParameter;
        }
        if ((p.Present & FutureRelease) != 0)
        {
            if (policy.FutureRelease.Evaluate(rules) is not { } maxHold)
            {
                return SmtpReplies.UnknownParameter;
            }
            var hold = p.Has(SmtpParameters.HoldFor)
                ? TimeSpan.FromSeconds(p.HoldFor)
                : p.HoldUntil - time.GetUtcNow();
            if (p.HoldFor < 0 || hold > maxHold)
            {
                return s_holdTooLong;
            }
        }
        if (p.Has(SmtpParameters.By))
        {
            if (policy.DeliverBy.Evaluate(rules) is not { } maxBy)
            {
                return SmtpReplies.UnknownParameter;
            }
            if (p.ByTime > maxBy.TotalSeconds)
            {
                return s_byTooLong;
            }
            if (p.ByMode == DeliverByMode.Notify && p.ByTime <= 0)
            {
                return s_byNotPositive;
            }
        }
        if (p.Has(SmtpParameters.MtPriority) && policy.MtPriority.Evaluate(rules) is null)
        {
            return SmtpReplies.UnknownParameter;
        }
        return null;
    }
}
