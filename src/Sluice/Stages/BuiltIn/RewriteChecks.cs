using Sluice.Configuration.Settings;

namespace Sluice.Stages.BuiltIn;

/// <summary>
/// <c>session.mail.rewrite</c> and <c>session.rcpt.rewrite</c>: a rule whose value is the new
/// address (a regex rule's <c>${1}</c> builds it from the old one), or <c>false</c> to keep it.
/// The rewritten address is what the transaction, the later rules and the queue see.
/// </summary>
internal static class RewriteChecks
{
    public const string Mail = "sluice.mail.rewrite";
    public const string Rcpt = "sluice.rcpt.rewrite";

    /// <summary>Rewrites the sender; the null sender (bounces) is never rewritten.</summary>
    public static SmtpStageDelegate<MailContext> MailRewrite(SmtpStageDelegate<MailContext> next, SluiceSettings settings) => context =>
    {
        if (context.Sender.Length > 0
            && NewAddress(settings.Session.Policy.MailRewrite.Evaluate(context.Session.Rules), context.Sender) is { } address)
        {
            context.Sender = address;
            context.Session.Rules.Sender = address;
        }
        return next(context);
    };

    public static SmtpStageDelegate<RcptContext> RcptRewrite(SmtpStageDelegate<RcptContext> next, SluiceSettings settings) => context =>
    {
        if (NewAddress(settings.Session.Policy.RcptRewrite.Evaluate(context.Session.Rules), context.Recipient) is { } address)
        {
            context.Recipient = address;
            context.Session.Rules.Recipient = address;
        }
        return next(context);
    };

    /// <summary>The rule's value when it is a usable address different from <paramref name="current"/>; null otherwise.</summary>
    internal static string? NewAddress(string? value, string current)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 254 || string.Equals(value, current, StringComparison.Ordinal))
        {
            return null;
        }
        foreach (var c in value)
        {
            if (c <= ' ' || c is '<' or '>' or '\x7f')
            {
                return null;
            }
        }
        return value;
    }
}
