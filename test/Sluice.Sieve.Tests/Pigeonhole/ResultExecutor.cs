using System.Text;
using Sluice.Sieve.Runtime;

namespace Sluice.Sieve.Tests.Pigeonhole;

/// <summary>
/// test_result_execute: the harness carries out the actions as a delivery agent would — keep and
/// fileinto store into its mailboxes, redirect and reject "send" into its outbox.
/// </summary>
internal static class ResultExecutor
{
    public static bool Execute(SuiteSession session, RunState state)
    {
        List<SieveAction> actions = session.Result.Final();
        // A fileinto into a mailbox that does not exist (and is not :create'd) fails the delivery:
        // then the implicit keep stores the message as received, without the script's edits.
        if (actions.OfType<FileIntoAction>().Any(f => !f.Create && !session.Mailboxes.ContainsKey(SuiteSession.NormalizeMailbox(f.Mailbox))))
        {
            Store(session, state.Message, state.Envelope, "INBOX", []);
            return false;
        }
        foreach (SieveAction action in actions)
        {
            ISieveMessage message = action.Message ?? state.Message;
            switch (action)
            {
                case KeepAction keep:
                    Store(session, message, state.Envelope, "INBOX", keep.Flags);
                    break;
                case FileIntoAction file:
                    Store(session, message, state.Envelope, file.Mailbox, file.Flags);
                    break;
                case RedirectAction redirect:
                    session.Outbox.Add(new StoredMessage(message, new SieveEnvelope
                    {
                        From = state.Envelope.To.Count > 0 ? state.Envelope.To[0] : "",
                        To = [redirect.Address],
                    }));
                    break;
                case RejectAction reject:
                    SendRejection(session, state, reject);
                    break;
                default:
                    break;
            }
        }
        return true;
    }

    /// <summary>
    /// Stores a copy with its flags. Dovecot's store, whose behaviour the suite expects, marks mail
    /// without attachments with the $HasNoAttachment keyword; this store does the same.
    /// </summary>
    private static void Store(SuiteSession session, ISieveMessage message, SieveEnvelope envelope, string mailbox, IReadOnlyList<string> flags)
    {
        mailbox = SuiteSession.NormalizeMailbox(mailbox);
        if (!session.Mailboxes.TryGetValue(mailbox, out List<StoredMessage>? list))
        {
            list = [];
            session.Mailboxes[mailbox] = list;
        }
        var stored = new List<string>(flags) { "$HasNoAttachment" };
        var copy = new SimpleSieveMessage(message.RawBytes.Span, stored);
        list.Add(new StoredMessage(copy, envelope));
    }

    /// <summary>A rejection goes back to the sender, never to the null reverse-path (RFC 5429 §2.1).</summary>
    private static void SendRejection(SuiteSession session, RunState state, RejectAction reject)
    {
        string? sender = state.Envelope.From;
        if (string.IsNullOrEmpty(sender) || sender == "<>")
        {
            return;
        }
        var text = new StringBuilder()
            .Append("From: Postmaster <postmaster@example.net>\r\n")
            .Append("To: <").Append(sender).Append(">\r\n")
            .Append("Subject: Rejected: message refused\r\n")
            .Append("\r\n")
            .Append(reject.Reason).Append("\r\n");
        session.Outbox.Add(new StoredMessage(SimpleSieveMessage.FromText(text.ToString()), new SieveEnvelope { From = "", To = [sender] }));
    }
}
