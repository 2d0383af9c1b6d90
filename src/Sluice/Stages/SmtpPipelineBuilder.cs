using Sluice.Configuration.Settings;
using Sluice.Stages.BuiltIn;

namespace Sluice.Stages;

/// <summary>
/// The six stage pipelines before they are built: the built-in checks are already in (named
/// <c>sluice.*</c>); a host adds its own middleware with <c>Rcpt.Use(...)</c> and friends.
/// </summary>
public sealed class SmtpPipelineBuilder
{
    public SmtpPipelineBuilder(SluiceSettings settings)
        : this(settings, TimeProvider.System)
    {
    }

    /// <summary>Builds the pipelines with <paramref name="time"/> as the clock of throttles and FUTURERELEASE.</summary>
    public SmtpPipelineBuilder(SluiceSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        Settings = settings;
        var throttles = new Throttles.ThrottleRegistry(settings.Session.Policy.Throttles, time);
        Connect.Use(next => ThrottleChecks.ConnectCheck(next, throttles), ThrottleChecks.Connect);
        Ehlo.Use(next => EhloChecks.RejectNonFqdnCheck(next, settings), EhloChecks.RejectNonFqdn)
            .Use(next => ThrottleChecks.EhloCheck(next, throttles), ThrottleChecks.Ehlo);
        Mail.Use(next => MailChecks.EhloRequiredCheck(next, settings), MailChecks.EhloRequired)
            .Use(next => MailChecks.AuthRequiredCheck(next, settings), MailChecks.AuthRequired)
            .Use(next => MailChecks.MessagesPerSessionCheck(next, settings), MailChecks.MessagesPerSession)
            .Use(next => MailChecks.ExtensionsCheck(next, settings), MailChecks.Extensions)
            .Use(next => ExtensionChecks.MailParametersCheck(next, settings, time), ExtensionChecks.MailParameters)
            .Use(next => MailChecks.SizeCheck(next, settings), MailChecks.Size)
            .Use(next => MailChecks.SenderOwnedCheck(next, settings), MailChecks.SenderOwned)
            .Use(next => RewriteChecks.MailRewrite(next, settings), RewriteChecks.Mail)
            .Use(next => ThrottleChecks.MailCheck(next, throttles), ThrottleChecks.Mail);
        Rcpt.Use(next => RcptChecks.ParametersCheck(next, settings), RcptChecks.Parameters)
            .Use(next => RcptChecks.MaxRecipientsCheck(next, settings), RcptChecks.MaxRecipients)
            .Use(next => RewriteChecks.RcptRewrite(next, settings), RewriteChecks.Rcpt)
            .Use(next => RcptDirectoryChecks.DirectoryCheck(next, settings), RcptDirectoryChecks.Directory)
            .Use(next => ThrottleChecks.RcptCheck(next, throttles), ThrottleChecks.Rcpt);
        Data.Use(next => DataChecks.ReceivedHeadersCheck(next, settings), DataChecks.ReceivedHeaders);
        // Sieve scripts at every stage (SPEC §2.8), after the built-in checks.
        Sieve.SieveStageMiddleware.Register(this, settings);
    }

    public SluiceSettings Settings { get; }

    public SmtpStagePipelineBuilder<ConnectContext> Connect { get; } = new();

    public SmtpStagePipelineBuilder<EhloContext> Ehlo { get; } = new();

    public SmtpStagePipelineBuilder<AuthContext> Auth { get; } = new();

    public SmtpStagePipelineBuilder<MailContext> Mail { get; } = new();

    public SmtpStagePipelineBuilder<RcptContext> Rcpt { get; } = new();

    public SmtpStagePipelineBuilder<DataContext> Data { get; } = new();

    /// <summary>Builds every pipeline in front of its terminal step.</summary>
    public SmtpPipelines Build() => new(
        Connect.Build(Terminals.Connect),
        Ehlo.Build(Terminals.Ehlo),
        Auth.Build(Terminals.Auth),
        Mail.Build(Terminals.Mail),
        Rcpt.Build(Terminals.Rcpt),
        Data.Build(Terminals.Data));
}

/// <summary>The built pipelines, one per stage; built once at start-up and shared by every session.</summary>
public sealed record SmtpPipelines(
    SmtpStageDelegate<ConnectContext> Connect,
    SmtpStageDelegate<EhloContext> Ehlo,
    SmtpStageDelegate<AuthContext> Auth,
    SmtpStageDelegate<MailContext> Mail,
    SmtpStageDelegate<RcptContext> Rcpt,
    SmtpStageDelegate<DataContext> Data);

/// <summary>Host configuration of the pipelines, applied in registration order when they are built.</summary>
public sealed class SmtpPipelineOptions
{
    public List<Action<SmtpPipelineBuilder>> Configure { get; } = [];
}
