using Sluice.Protocol;

namespace Sluice.Stages;

/// <summary>
/// The last step of each stage: it accepts. The session commits the change (records the HELO name,
/// opens the transaction, adds the recipient, stores the message) when a stage ends accepted.
/// </summary>
internal static class Terminals
{
    public static ValueTask Connect(ConnectContext context) => Accept(context, null);

    public static ValueTask Ehlo(EhloContext context) => Accept(context, SmtpReplies.Ok);

    public static ValueTask Auth(AuthContext context) => Accept(context, null);

    public static ValueTask Mail(MailContext context) => Accept(context, SmtpReplies.SenderOk);

    public static ValueTask Rcpt(RcptContext context) => Accept(context, SmtpReplies.RecipientOk);

    public static ValueTask Data(DataContext context) => Accept(context, SmtpReplies.Ok);

    private static ValueTask Accept(SmtpStageContext context, SmtpReply? reply)
    {
        context.Accepted = true;
        context.Reply ??= reply;
        return ValueTask.CompletedTask;
    }
}
