using Sluice.Configuration.Settings;
using Sluice.Directories;
using Sluice.Protocol;

namespace Sluice.Stages.BuiltIn;

/// <summary>
/// <c>session.rcpt.directory</c> and <c>session.rcpt.relay</c> (SPEC §2.5, §2.7): a recipient in a
/// local domain must be a user's <c>email</c> or <c>email-list</c> address, a recipient elsewhere
/// needs relay; both refusals are 550 5.1.2 and count towards <c>session.rcpt.errors.total</c>.
/// <c>postmaster</c> (no domain) is always accepted, and so is <c>postmaster@</c> a local domain when
/// no user claims it. With no directory and no relay every recipient is accepted (the development
/// catch-all).
/// </summary>
internal static class RcptDirectoryChecks
{
    public const string Directory = "sluice.rcpt.directory";

    private static readonly SmtpReply s_directoryUnavailable = new(451, "4.3.0", "Recipient directory unavailable, try again later");

    public static SmtpStageDelegate<RcptContext> DirectoryCheck(SmtpStageDelegate<RcptContext> next, SluiceSettings settings) => context =>
    {
        var address = context.Recipient;
        if (string.Equals(address, "postmaster", StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }
        var policy = settings.Session.Policy;
        var rules = context.Session.Rules;
        var id = policy.RcptDirectory.Evaluate(rules);
        if (id.Length == 0)
        {
            // No directory: relay or not, the catch-all accepts (SPEC §2.5).
            return next(context);
        }
        if (!settings.Directories.TryGet(id, out var directory))
        {
            context.Refuse(s_directoryUnavailable);
            return ValueTask.CompletedTask;
        }
        return CheckAsync(context, next, directory, address, policy.Relay.Evaluate(rules));
    };

    private static async ValueTask CheckAsync(RcptContext context, SmtpStageDelegate<RcptContext> next, IDirectory directory, string address, bool relay)
    {
        var at = address.LastIndexOf('@');
        var domain = at < 0 ? string.Empty : address[(at + 1)..];
        if (domain.Length > 0 && await directory.IsLocalDomainAsync(domain, context.Aborted))
        {
            if (await directory.IsLocalAddressAsync(address, context.Aborted)
                || address.AsSpan(0, at).Equals("postmaster", StringComparison.OrdinalIgnoreCase))
            {
                await next(context);
                return;
            }
            context.CountsAsError = true;
            context.Refuse(SmtpReplies.MailboxUnknown);
            return;
        }
        if (relay)
        {
            await next(context);
            return;
        }
        context.CountsAsError = true;
        context.Refuse(SmtpReplies.RelayDenied);
    }
}
