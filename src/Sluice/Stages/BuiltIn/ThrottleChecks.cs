using Sluice.Protocol;
using Sluice.Stages.Throttles;

namespace Sluice.Stages.BuiltIn;

/// <summary>
/// <c>[[session.throttle]]</c> (SPEC §2.6) at each stage: a throttle runs at the first stage where
/// every variable of its key and its <c>match</c> is known. At connect a hit answers 421 4.3.2 and
/// closes; later it answers 452 4.4.5 to that command. A concurrency limit known at connect holds a
/// place for the whole session; one keyed on a later variable holds it for the open transaction.
/// </summary>
internal static class ThrottleChecks
{
    public const string Connect = "sluice.connect.throttle";
    public const string Ehlo = "sluice.ehlo.throttle";
    public const string Mail = "sluice.mail.throttle";
    public const string Rcpt = "sluice.rcpt.throttle";

    private static readonly SmtpReply s_connectRate = new(421, "4.3.2", "Too many connections, try again later");

    public static SmtpStageDelegate<ConnectContext> ConnectCheck(SmtpStageDelegate<ConnectContext> next, ThrottleRegistry throttles) => context =>
    {
        if (!throttles.IsEmpty)
        {
            var info = context.Session;
            foreach (var throttle in throttles.All)
            {
                if (throttle.Stage != ThrottleStage.Connect || !throttle.Applies(info.Rules))
                {
                    continue;
                }
                var key = throttle.KeyOf(info.Rules);
                if (throttle.Rate is { } rate && !rate.TryAcquire(key))
                {
                    context.Refuse(s_connectRate, close: true);
                    return ValueTask.CompletedTask;
                }
                if (throttle.Concurrency is { } concurrency)
                {
                    if (!concurrency.TryAcquire(key))
                    {
                        context.Refuse(SmtpReplies.TooManyConnections, close: true);
                        return ValueTask.CompletedTask;
                    }
                    (info.Throttles ??= new ThrottleLeases()).HoldForSession(concurrency, key);
                }
            }
        }
        return next(context);
    };

    public static SmtpStageDelegate<EhloContext> EhloCheck(SmtpStageDelegate<EhloContext> next, ThrottleRegistry throttles) => context =>
        throttles.IsEmpty || Passes(context.Session, throttles, ThrottleStage.Ehlo) ? next(context) : Refuse(context);

    public static SmtpStageDelegate<MailContext> MailCheck(SmtpStageDelegate<MailContext> next, ThrottleRegistry throttles) => context =>
        throttles.IsEmpty || Passes(context.Session, throttles, ThrottleStage.Mail) ? next(context) : Refuse(context);

    public static SmtpStageDelegate<RcptContext> RcptCheck(SmtpStageDelegate<RcptContext> next, ThrottleRegistry throttles) => context =>
        throttles.IsEmpty || Passes(context.Session, throttles, ThrottleStage.Rcpt) ? next(context) : Refuse(context);

    private static ValueTask Refuse(SmtpStageContext context)
    {
        context.Refuse(SmtpReplies.Throttled);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Rate throttles of <paramref name="stage"/>; and at MAIL the transaction concurrency of throttles
    /// known by then (EHLO or MAIL variables), at RCPT those keyed on the recipient.
    /// </summary>
    private static bool Passes(SmtpSessionInfo info, ThrottleRegistry throttles, ThrottleStage stage)
    {
        foreach (var throttle in throttles.All)
        {
            if (throttle.Stage == ThrottleStage.Connect)
            {
                continue;
            }
            var rateHere = throttle.Rate is not null && throttle.Stage == stage;
            var concurrencyHere = throttle.Concurrency is not null
                && (stage == ThrottleStage.Rcpt ? throttle.Stage == ThrottleStage.Rcpt : stage == ThrottleStage.Mail && throttle.Stage <= ThrottleStage.Mail);
            if ((!rateHere && !concurrencyHere) || !throttle.Applies(info.Rules))
            {
                continue;
            }
            var key = throttle.KeyOf(info.Rules);
            if (concurrencyHere)
            {
                var leases = info.Throttles ??= new ThrottleLeases();
                var concurrency = throttle.Concurrency!;
                if (!leases.HoldsForTransaction(concurrency, key))
                {
                    if (!concurrency.TryAcquire(key))
                    {
                        return false;
                    }
                    leases.HoldForTransaction(concurrency, key);
                }
            }
            if (rateHere && !throttle.Rate!.TryAcquire(key))
            {
                return false;
            }
        }
        return true;
    }
}
