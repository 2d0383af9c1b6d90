using Sluice.Configuration.Settings;
using Sluice.Protocol;

namespace Sluice.Stages.BuiltIn;

/// <summary>Built-in checks of the RCPT TO stage.</summary>
internal static class RcptChecks
{
    public const string Parameters = "sluice.rcpt.parameters";
    public const string MaxRecipients = "sluice.rcpt.max-recipients";

    /// <summary>DSN parameters (NOTIFY, ORCPT) while <c>session.extensions.dsn</c> is off: 555 5.5.4; a UTF-8 address needs SMTPUTF8 on MAIL.</summary>
    public static SmtpStageDelegate<RcptContext> ParametersCheck(SmtpStageDelegate<RcptContext> next, SluiceSettings settings) => context =>
    {
        if (!ExtensionChecks.RcptParametersOffered(context.Parameters, settings, context.Session.Rules))
        {
            context.Refuse(SmtpReplies.UnknownParameter);
            return ValueTask.CompletedTask;
        }
        if (context.To.HasNonAscii && !context.Session.MailParameters.SmtpUtf8)
        {
            context.Refuse(SmtpReplies.NonAsciiAddressWithoutSmtpUtf8);
            return ValueTask.CompletedTask;
        }
        return next(context);
    };

    /// <summary><c>session.rcpt.max-recipients</c>: one recipient too many gets 455 4.5.3 (not counted as an error).</summary>
    public static SmtpStageDelegate<RcptContext> MaxRecipientsCheck(SmtpStageDelegate<RcptContext> next, SluiceSettings settings) => context =>
    {
        if (context.Session.Recipients.Count >= settings.Session.Rcpt.MaxRecipients.Evaluate(context.Session.Rules))
        {
            context.Refuse(SmtpReplies.TooManyRecipients);
            return ValueTask.CompletedTask;
        }
        return next(context);
    };
}
