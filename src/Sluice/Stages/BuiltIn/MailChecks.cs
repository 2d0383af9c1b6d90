using Sluice.Configuration.Settings;
using Sluice.Protocol;

namespace Sluice.Stages.BuiltIn;

/// <summary>Built-in checks of the MAIL FROM stage, in the order SPEC §3 implies.</summary>
internal static class MailChecks
{
    public const string EhloRequired = "sluice.mail.ehlo-required";
    public const string MessagesPerSession = "sluice.mail.messages-per-session";
    public const string Extensions = "sluice.mail.extensions";
    public const string Size = "sluice.mail.size";

    /// <summary>
    /// Parameters of extensions this server does not offer (DSN, FUTURERELEASE, DELIVERBY,
    /// MT-PRIORITY, REQUIRETLS before TLS, AUTH=): 555 5.5.4 per RFC 5321 4.1.1.11.
    /// </summary>
    private const SmtpParameters NotOffered =
        SmtpParameters.Ret | SmtpParameters.EnvId | SmtpParameters.HoldFor | SmtpParameters.HoldUntil
        | SmtpParameters.By | SmtpParameters.MtPriority | SmtpParameters.RequireTls | SmtpParameters.Auth;

    /// <summary><c>session.ehlo.require</c>: MAIL before EHLO/HELO is refused (503 5.5.1).</summary>
    public static SmtpStageDelegate<MailContext> EhloRequiredCheck(SmtpStageDelegate<MailContext> next, SluiceSettings settings) => context =>
    {
        if (context.Session.HeloDomain is null && settings.Session.Ehlo.Require.Evaluate(context.Session.Rules))
        {
            context.Refuse(SmtpReplies.EhloRequired);
            return ValueTask.CompletedTask;
        }
        return next(context);
    };

    /// <summary><c>session.data.limits.messages</c>: the MAIL that would open one message too many gets 452 4.4.5.</summary>
    public static SmtpStageDelegate<MailContext> MessagesPerSessionCheck(SmtpStageDelegate<MailContext> next, SluiceSettings settings) => context =>
    {
        if (context.Session.MessagesAccepted >= settings.Session.Data.Limits.Messages.Evaluate(context.Session.Rules))
        {
            context.Refuse(SmtpReplies.TooManyMessages);
            return ValueTask.CompletedTask;
        }
        return next(context);
    };

    /// <summary>Parameters of extensions that are off for this session: 555 5.5.4; a UTF-8 address needs SMTPUTF8.</summary>
    public static SmtpStageDelegate<MailContext> ExtensionsCheck(SmtpStageDelegate<MailContext> next, SluiceSettings settings) => context =>
    {
        var parameters = context.Parameters;
        if ((parameters.Present & NotOffered) != 0
            || (parameters.Body == SmtpBodyType.BinaryMime && !settings.Session.Extensions.Chunking.Evaluate(context.Session.Rules)))
        {
            context.Refuse(SmtpReplies.UnknownParameter);
            return ValueTask.CompletedTask;
        }
        if (context.From.HasNonAscii && !parameters.SmtpUtf8)
        {
            context.Refuse(SmtpReplies.NonAsciiAddressWithoutSmtpUtf8);
            return ValueTask.CompletedTask;
        }
        return next(context);
    };

    /// <summary>SIZE= over <c>session.data.limits.size</c>: 552 5.3.4 before any data is sent (0: no limit, as advertised).</summary>
    public static SmtpStageDelegate<MailContext> SizeCheck(SmtpStageDelegate<MailContext> next, SluiceSettings settings) => context =>
    {
        if (context.Parameters.Has(SmtpParameters.Size)
            && settings.Session.Data.Limits.Size.Evaluate(context.Session.Rules) is > 0 and var limit
            && context.Parameters.Size > limit)
        {
            context.Refuse(SmtpReplies.MessageTooBig);
            return ValueTask.CompletedTask;
        }
        return next(context);
    };
}
