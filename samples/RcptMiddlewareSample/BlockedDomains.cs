using Sluice.Protocol;
using Sluice.Stages;

namespace RcptMiddlewareSample;

/// <summary>
/// RCPT middleware that refuses recipients of blocked domains with its own reply. It runs after
/// Sluice's built-in RCPT checks (syntax, parameters, max-recipients) and before the terminal step
/// that adds the recipient; calling <c>next</c> lets the recipient through.
/// </summary>
public static class BlockedDomains
{
    /// <summary>The reply for a blocked recipient (the code and enhanced code are the host's choice).</summary>
    public static SmtpReply Refusal { get; } = new(550, "5.7.1", "Mail for this domain is not accepted here");

    /// <summary>The middleware: <c>builder.Services.AddSluice(...).UseRcpt(BlockedDomains.Refuse("spam.example"))</c>.</summary>
    public static Func<RcptContext, SmtpStageDelegate<RcptContext>, ValueTask> Refuse(params string[] domains)
    {
        var blocked = new HashSet<string>(domains, StringComparer.OrdinalIgnoreCase);
        return (context, next) =>
        {
            var at = context.Recipient.LastIndexOf('@');
            var domain = at < 0 ? string.Empty : context.Recipient[(at + 1)..];
            if (blocked.Contains(domain))
            {
                // Counted like an unknown mailbox: session.rcpt.errors.total closes a session that keeps trying.
                context.CountsAsError = true;
                context.Refuse(Refusal);
                return ValueTask.CompletedTask;
            }
            return next(context);
        };
    }
}
