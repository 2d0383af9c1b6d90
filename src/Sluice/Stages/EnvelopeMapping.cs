using Sluice.Protocol;
using QueueBy = Sluice.Queue.DeliverBy;
using QueueByMode = Sluice.Queue.DeliverByMode;
using QueueNotify = Sluice.Queue.DsnNotify;
using QueueReturn = Sluice.Queue.DsnReturn;

namespace Sluice.Stages;

/// <summary>
/// The one place where what the parser read (the <see cref="Protocol"/> enums and
/// <see cref="EsmtpParameters"/>) becomes what the queue stores in the <c>.json</c>
/// (the <see cref="Queue"/> enums): NOTIFY, RET, BY and the FUTURERELEASE hold.
/// </summary>
public static class EnvelopeMapping
{
    /// <summary>NOTIFY=; null when it was not given.</summary>
    public static QueueNotify? Notify(DsnNotify notify) => notify == DsnNotify.None ? null : (QueueNotify)(int)notify;

    /// <summary>RET=; null when it was not given.</summary>
    public static QueueReturn? Ret(DsnReturn ret) => ret switch
    {
        DsnReturn.Full => QueueReturn.Full,
        DsnReturn.Headers => QueueReturn.Headers,
        _ => null,
    };

    /// <summary>BY=time;mode[T]; null when it was not given.</summary>
    public static QueueBy? By(in EsmtpParameters parameters) => !parameters.Has(SmtpParameters.By) ? null
        : new QueueBy(parameters.ByTime, parameters.ByMode == DeliverByMode.Return ? QueueByMode.Return : QueueByMode.Notify, parameters.ByTrace);

    /// <summary>When delivery may start: HOLDUNTIL as given, HOLDFOR counted from <paramref name="mailTime"/>; null without FUTURERELEASE.</summary>
    public static DateTimeOffset? HoldUntil(in EsmtpParameters parameters, DateTimeOffset mailTime) =>
        parameters.Has(SmtpParameters.HoldUntil) ? parameters.HoldUntil.ToUniversalTime()
        : parameters.Has(SmtpParameters.HoldFor) ? mailTime.ToUniversalTime().AddSeconds(parameters.HoldFor)
        : null;
}
