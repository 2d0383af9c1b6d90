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
    public const string AuthRequired = "sluice.mail.auth-required";
    public const string SenderOwned = "sluice.mail.must-match-sender";

    /// <summary>
    /// Parameters of extensions this server does not offer (DSN, FUTURERELEASE, DELIVERBY,
    /// MT-PRIORITY, AUTH=): 555 5.5.4 per RFC 5321 4.1.1.11. REQUIRETLS is checked on its own: it is
    /// offered inside TLS only.
    /// </summary>
    private const SmtpParameters NotOffered =
        SmtpParameters.Ret | SmtpParameters.EnvId | SmtpParameters.HoldFor | SmtpParameters.HoldUntil
        | SmtpParameters.By | SmtpParameters.MtPriority;

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
            || (parameters.Body == SmtpBodyType.BinaryMime && !settings.Session.Extensions.Chunking.Evaluate(context.Session.Rules))
            || (parameters.RequireTls && !(context.Session.IsTls && settings.Session.Extensions.RequireTls.Evaluate(context.Session.Rules)))
            || (parameters.Has(SmtpParameters.Auth) && settings.Session.Auth.Mechanisms.Evaluate(context.Session.Rules).Count == 0))
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

    /// <summary><c>session.auth.require</c>: MAIL before AUTH is refused (503 5.5.1).</summary>
    public static SmtpStageDelegate<MailContext> AuthRequiredCheck(SmtpStageDelegate<MailContext> next, SluiceSettings settings) => context =>
    {
        if (context.Session.AuthenticatedAs is null && settings.Session.Auth.Require.Evaluate(context.Session.Rules))
        {
            context.Refuse(SmtpReplies.AuthenticationRequired);
            return ValueTask.CompletedTask;
        }
        return next(context);
    };

    /// <summary>
    /// <c>session.auth.must-match-sender</c>: an authenticated user may send only from its own addresses
    /// (its <c>email</c> / <c>email-list</c> entries, or its name); 501 5.5.4 otherwise.
    /// </summary>
    public static SmtpStageDelegate<MailContext> SenderOwnedCheck(SmtpStageDelegate<MailContext> next, SluiceSettings settings) => context =>
    {
        var session = context.Session;
        if (session.AuthenticatedAs is { } user && !context.From.IsNull
            && settings.Session.Auth.MustMatchSender.Evaluate(session.Rules)
            && !string.Equals(context.From.Address, user, StringComparison.OrdinalIgnoreCase)
            && !Owns(session.AuthenticatedAddresses, context.From.Address))
        {
            context.Refuse(SmtpReplies.SenderNotOwned);
            return ValueTask.CompletedTask;
        }
        return next(context);
    };

    private static bool Owns(IReadOnlyList<string> addresses, string address)
    {
        foreach (var owned in addresses)
        {
            if (string.Equals(owned, address, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

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
