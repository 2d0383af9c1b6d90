using Sluice.Configuration.Settings;
using Sluice.Protocol;

namespace Sluice.Stages.BuiltIn;

/// <summary>Built-in checks of the EHLO/HELO stage.</summary>
internal static class EhloChecks
{
    public const string RejectNonFqdn = "sluice.ehlo.reject-non-fqdn";

    /// <summary><c>session.ehlo.reject-non-fqdn</c>: the argument must be a FQDN or an address literal (550 5.5.0).</summary>
    public static SmtpStageDelegate<EhloContext> RejectNonFqdnCheck(SmtpStageDelegate<EhloContext> next, SluiceSettings settings) => context =>
    {
        if (context.DomainKind is not (HeloDomainKind.FullyQualified or HeloDomainKind.AddressLiteral)
            && settings.Session.Ehlo.RejectNonFqdn.Evaluate(context.Session.Rules))
        {
            context.Refuse(SmtpReplies.EhloBadDomain);
            return ValueTask.CompletedTask;
        }
        return next(context);
    };
}
