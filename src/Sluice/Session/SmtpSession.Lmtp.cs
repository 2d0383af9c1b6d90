using Sluice.Configuration.Settings;
using Sluice.Protocol;
using Sluice.Stages;

namespace Sluice.Session;

/// <summary>
/// LMTP (RFC 2033) on <c>protocol = "lmtp"</c> listeners: the session is SMTP's, except that the
/// client greets with LHLO (EHLO and HELO are refused, and LHLO is refused on SMTP listeners), and
/// after the end of the message there is one reply per accepted recipient, in RCPT order.
/// </summary>
internal sealed partial class SmtpSession
{
    private static bool IsLmtpListener(SluiceSettings settings, string listenerId)
    {
        foreach (var listener in settings.Server.Listeners)
        {
            if (string.Equals(listener.Id, listenerId, StringComparison.Ordinal))
            {
                return listener.Protocol == ListenerProtocol.Lmtp;
            }
        }
        return false;
    }

    /// <summary>EHLO/HELO on an LMTP listener, or LHLO on an SMTP one: 500 5.5.1 (RFC 2033 4.1).</summary>
    private bool IsWrongGreeting(SmtpVerb verb) =>
        _info.IsLmtp ? verb is SmtpVerb.Ehlo or SmtpVerb.Helo : verb == SmtpVerb.Lhlo;

    /// <summary>How many replies the end of the message gets: one per accepted recipient with LMTP, else one.</summary>
    private int FinalReplies() => _info.IsLmtp ? Math.Max(1, _info.Recipients.Count) : 1;

    private void Reply(SmtpReply reply, int times)
    {
        for (var i = 0; i < times; i++)
        {
            reply.WriteTo(_output);
        }
    }

    private void Reply(SmtpStageContext context, int times)
    {
        // A stage that ended without a reply and without accepting is a local fault, never a 250.
        Reply(context.Reply ?? (context.Accepted ? SmtpReplies.Ok : SmtpReplies.LocalProcessingError), times);
        _close |= context.CloseAfterReply;
    }
}
