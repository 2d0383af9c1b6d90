using System.Globalization;
using System.Net;
using MimeKit;
using Sluice.Configuration;
using Sluice.Configuration.Settings;
using Sluice.Protocol;
using Sluice.Sieve;

namespace Sluice.Stages.Sieve;

/// <summary>
/// The <c>sluice.sieve</c> step of every stage (SPEC §2.8): runs the script that
/// <c>session.&lt;stage&gt;.script</c> picks for the session with the <c>env.*</c> and
/// <c>envelope.*</c> variables, and maps its outcome to the stage's reply. A stage with no script
/// for the session costs one rule evaluation.
/// </summary>
internal sealed class SieveStageMiddleware
{
    public const string Name = "sluice.sieve";

    /// <summary>What a script at a stage without a message sees: no header, no body.</summary>
    private static readonly SimpleSieveMessage s_noMessage = new([]);

    private readonly SieveStageServices _services;
    private readonly SieveScriptSettings _sieve;

    public SieveStageMiddleware(SieveStageServices services)
    {
        _services = services;
        _sieve = services.Settings.Sieve;
    }

    /// <summary>Adds the step to every stage pipeline, after the built-in checks.</summary>
    public static void Register(SmtpPipelineBuilder builder, SluiceSettings settings)
    {
        var middleware = new SieveStageMiddleware(new SieveStageServices(settings, TimeProvider.System));
        builder.Connect.Use(middleware.ConnectAsync, Name);
        builder.Ehlo.Use(middleware.EhloAsync, Name);
        builder.Mail.Use(middleware.MailAsync, Name);
        builder.Rcpt.Use(middleware.RcptAsync, Name);
        builder.Data.Use(middleware.DataAsync, Name);
    }

    public ValueTask ConnectAsync(ConnectContext context, SmtpStageDelegate<ConnectContext> next)
    {
        if (Pick(_sieve.Stages.Connect, context.Session) is not { } script)
        {
            return next(context);
        }
        var result = Run(script, context.Session, s_noMessage, helo: null, recipient: null, everyRecipient: false);
        if (result.Status == SieveRunStatus.BudgetExhausted || script.Missing)
        {
            context.Refuse(SmtpReplies.ScriptFailedAtConnect, close: true);
            return ValueTask.CompletedTask;
        }
        if (Rejection(result) is { } reason)
        {
            context.Refuse(SmtpReplies.SieveRejectAtConnect(reason), close: true);
            return ValueTask.CompletedTask;
        }
        return next(context);
    }

    public ValueTask EhloAsync(EhloContext context, SmtpStageDelegate<EhloContext> next)
    {
        if (Pick(_sieve.Stages.Ehlo, context.Session) is not { } script)
        {
            return next(context);
        }
        var result = Run(script, context.Session, s_noMessage, helo: context.Domain, recipient: null, everyRecipient: false);
        return Refused(context, script, result) ? ValueTask.CompletedTask : next(context);
    }

    public ValueTask MailAsync(MailContext context, SmtpStageDelegate<MailContext> next)
    {
        if (Pick(_sieve.Stages.Mail, context.Session) is not { } script)
        {
            return next(context);
        }
        var result = Run(script, context.Session, s_noMessage, helo: null, recipient: null, everyRecipient: false,
            sender: context.Sender, parameters: context.Parameters);
        if (Refused(context, script, result))
        {
            return ValueTask.CompletedTask;
        }
        // Redirect has no recipients to replace before RCPT; fileinto is a hint for the message to come.
        context.Session.Folder = Folder(result) ?? context.Session.Folder;
        return next(context);
    }

    public ValueTask RcptAsync(RcptContext context, SmtpStageDelegate<RcptContext> next)
    {
        if (Pick(_sieve.Stages.Rcpt, context.Session) is not { } script)
        {
            return next(context);
        }
        var recipient = new TransactionRecipient(context.Recipient, context.Parameters.OriginalRecipient, context.Parameters.Notify);
        var result = Run(script, context.Session, s_noMessage, helo: null, recipient, everyRecipient: false);
        if (Refused(context, script, result))
        {
            // SPEC §2.5: a Sieve reject at RCPT counts toward session.rcpt.errors.total.
            context.CountsAsError = result.Status != SieveRunStatus.BudgetExhausted && !script.Missing;
            return ValueTask.CompletedTask;
        }
        // At RCPT, redirect replaces this command's recipient (the first redirect; keep or :copy keeps it).
        var redirects = Redirects(result);
        if (redirects.Count > 0 && !KeepsOriginal(result))
        {
            context.Recipient = redirects[0];
        }
        context.Session.Folder = Folder(result) ?? context.Session.Folder;
        return next(context);
    }

    public async ValueTask DataAsync(DataContext context, SmtpStageDelegate<DataContext> next)
    {
        if (Pick(_sieve.Stages.Data, context.Session) is not { } script)
        {
            await next(context);
            return;
        }
        if (!context.HasMessage || script.Missing)
        {
            context.Refuse(SmtpReplies.ScriptFailed);
            return;
        }
        var bytes = await context.ReadMessageAsync(context.Aborted);
        if (!Parses(bytes))
        {
            context.Refuse(SmtpReplies.MessageNotParsable);
            return;
        }
        var message = new SimpleSieveMessage(bytes);
        var session = context.Session;
        var last = session.Recipients.Count > 0 ? session.Recipients[^1] : null;
        var result = Run(script, session, message, helo: null, last, everyRecipient: true);
        if (Refused(context, script, result))
        {
            return;
        }
        var keeps = KeepsOriginal(result);
        var redirects = Redirects(result);
        if (!keeps && redirects.Count == 0)
        {
            context.Discard = true;
            await next(context);
            return;
        }
        if (redirects.Count > 0)
        {
            // At DATA, redirect replaces every recipient (keep or :copy keeps them and adds the new ones).
            var recipients = keeps ? session.Recipients.ToList() : [];
            foreach (var address in redirects)
            {
                if (!recipients.Any(r => string.Equals(r.Address, address, StringComparison.OrdinalIgnoreCase)))
                {
                    recipients.Add(new TransactionRecipient(address, null, DsnNotify.None));
                }
            }
            session.ReplaceRecipients(recipients);
        }
        session.Folder = Folder(result) ?? session.Folder;
        if (result.EditedBytes is { } edited)
        {
            context.ReplacementMessage = edited;
        }
        await next(context);
    }

    /// <summary>Formats an address as scripts and envelopes see it (IPv4-mapped addresses as IPv4).</summary>
    internal static string Text(IPAddress address) => (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    /// <summary>Whether MimeKit can read the message (SPEC §3: 550 5.7.7 when a DATA script needs it and it cannot).</summary>
    private static bool Parses(byte[] bytes)
    {
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            using var parsed = MimeMessage.Load(stream);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private Picked? Pick(Rule<string?> rule, SmtpSessionInfo session)
    {
        if (rule.Evaluate(session.Rules) is not { } name)
        {
            return null;
        }
        // A name that came from a rule template may not exist: the stage answers as for a failed script.
        return _sieve.Scripts.TryGetValue(name, out var script) ? new Picked(script, false) : new Picked(null, true);
    }

    private SieveResult Run(Picked picked, SmtpSessionInfo session, ISieveMessage message, string? helo,
        TransactionRecipient? recipient, bool everyRecipient, string? sender = null, EsmtpParameters? parameters = null)
    {
        if (picked.Script is null)
        {
            return SieveInterpreter.Run(EmptyScript.Value, new SieveRunContext { Message = message });
        }
        var mail = parameters ?? session.MailParameters;
        var from = sender ?? session.Sender;
        var to = everyRecipient ? session.Recipients.Select(r => r.Address).ToList()
            : recipient is null ? [] : [recipient.Address];
        var variables = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["env.remote_ip"] = session.RemoteEndPoint is { } remote ? Text(remote.Address) : "",
            ["env.remote_port"] = session.RemoteEndPoint?.Port.ToString(CultureInfo.InvariantCulture) ?? "",
            ["env.local_ip"] = session.LocalEndPoint is { } local ? Text(local.Address) : "",
            ["env.helo_domain"] = helo ?? session.HeloDomain ?? "",
            ["env.authenticated_as"] = session.AuthenticatedAs ?? "",
            ["env.listener"] = session.ListenerId,
            ["env.is_tls"] = session.IsTls ? "true" : "false",
            ["envelope.from"] = from,
            ["envelope.to"] = recipient?.Address ?? "",
            ["envelope.notify"] = Notify(recipient?.Notify ?? DsnNotify.None) ?? "",
            ["envelope.orcpt"] = recipient?.Orcpt ?? "",
            ["envelope.ret"] = Ret(mail.Ret) ?? "",
            ["envelope.envid"] = mail.EnvelopeId ?? "",
        };
        string? byAbsolute = null, byRelative = null, byMode = null, byTrace = null;
        if (mail.Has(SmtpParameters.By))
        {
            byRelative = mail.ByTime.ToString(CultureInfo.InvariantCulture);
            byAbsolute = _services.Time.GetUtcNow().AddSeconds(mail.ByTime).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            byMode = mail.ByMode == DeliverByMode.Return ? "return" : "notify";
            byTrace = mail.ByTrace ? "trace" : "";
        }
        variables["envelope.by_time_absolute"] = byAbsolute ?? "";
        variables["envelope.by_time_relative"] = byRelative ?? "";
        variables["envelope.by_mode"] = byMode ?? "";
        variables["envelope.by_trace"] = byTrace ?? "";
        var context = new SieveRunContext
        {
            Message = message,
            Envelope = new SieveEnvelope
            {
                From = from,
                To = to,
                Auth = session.AuthenticatedAs,
                Notify = Notify(recipient?.Notify ?? DsnNotify.None),
                Orcpt = recipient?.Orcpt,
                Ret = Ret(mail.Ret),
                EnvId = mail.EnvelopeId,
                ByTimeAbsolute = byAbsolute,
                ByTimeRelative = byRelative,
                ByMode = byMode,
                ByTrace = byTrace,
            },
            Host = new SieveStageHost(_services, session),
            Limits = _sieve.Limits,
            Settings = _sieve.Extensions,
            NamespaceVariables = variables,
        };
        return SieveInterpreter.Run(picked.Script, context);
    }

    /// <summary>Maps a refusing outcome: over budget (or a missing script) → 451 4.3.0; reject/ereject → the script's reply.</summary>
    private static bool Refused(SmtpStageContext context, Picked script, SieveResult result)
    {
        if (result.Status == SieveRunStatus.BudgetExhausted || script.Missing)
        {
            context.Refuse(SmtpReplies.ScriptFailed);
            return true;
        }
        if (Rejection(result) is { } reason)
        {
            context.Refuse(SmtpReplies.SieveReject(reason));
            return true;
        }
        return false;
    }

    private static string? Rejection(SieveResult result)
    {
        foreach (var action in result.Actions)
        {
            if (action is RejectAction reject)
            {
                // One line: a reason with line breaks must not forge further reply lines.
                return reject.Reason.ReplaceLineEndings(" ").Trim();
            }
        }
        return null;
    }

    private static bool KeepsOriginal(SieveResult result) =>
        result.Actions.Any(a => a is KeepAction or FileIntoAction || a is RedirectAction { Copy: true });

    private static List<string> Redirects(SieveResult result)
    {
        var addresses = new List<string>();
        foreach (var action in result.Actions)
        {
            if (action is RedirectAction { IsList: false } redirect && IsPlainAddress(redirect.Address))
            {
                addresses.Add(redirect.Address);
            }
        }
        return addresses;
    }

    private static string? Folder(SieveResult result) =>
        result.Actions.OfType<FileIntoAction>().Select(f => f.Mailbox).FirstOrDefault(IsPlainAddress);

    /// <summary>One printable token: what goes into an envelope must not carry line breaks or controls.</summary>
    private static bool IsPlainAddress(string text) =>
        text.Length is > 0 and <= 512 && !text.Any(c => c < 0x21 || c == 0x7F || c is '<' or '>');

    private static string? Notify(DsnNotify notify)
    {
        if (notify == DsnNotify.None)
        {
            return null;
        }
        if (notify.HasFlag(DsnNotify.Never))
        {
            return "NEVER";
        }
        var parts = new List<string>(3);
        if (notify.HasFlag(DsnNotify.Success))
        {
            parts.Add("SUCCESS");
        }
        if (notify.HasFlag(DsnNotify.Failure))
        {
            parts.Add("FAILURE");
        }
        if (notify.HasFlag(DsnNotify.Delay))
        {
            parts.Add("DELAY");
        }
        return string.Join(',', parts);
    }

    private static string? Ret(DsnReturn ret) => ret switch
    {
        DsnReturn.Full => "FULL",
        DsnReturn.Headers => "HDRS",
        _ => null,
    };

    /// <summary>The script a stage runs, or a name with no script behind it.</summary>
    private sealed record Picked(SieveScript? Script, bool Missing);

    private static class EmptyScript
    {
        public static readonly SieveScript Value = SieveCompiler.Compile("").Script!;
    }
}
