using Sluice.Configuration.Settings;
using Sluice.Protocol;

namespace Sluice.Stages.BuiltIn;

/// <summary>Built-in checks of the DATA stage (the whole message has arrived, nothing is committed yet).</summary>
internal static class DataChecks
{
    public const string ReceivedHeaders = "sluice.data.received-headers";

    /// <summary><c>session.data.limits.received-headers</c>: more Received headers than this is a loop (450 4.4.6).</summary>
    public static SmtpStageDelegate<DataContext> ReceivedHeadersCheck(SmtpStageDelegate<DataContext> next, SluiceSettings settings) => context =>
    {
        if (context.ReceivedHeaders > settings.Session.Data.Limits.ReceivedHeaders.Evaluate(context.Session.Rules))
        {
            context.Refuse(SmtpReplies.TooManyReceivedHeaders);
            return ValueTask.CompletedTask;
        }
        return next(context);
    };
}
