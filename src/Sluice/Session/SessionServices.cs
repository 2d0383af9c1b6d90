using Microsoft.Extensions.Logging;
using Sluice.Configuration.Settings;
using Sluice.Observability;
using Sluice.Protocol;
using Sluice.Queue;
using Sluice.Stages;
using Sluice.Tls;

namespace Sluice.Session;

/// <summary>What every session shares: settings, the built pipelines, the store, the clock, the EHLO reply cache.</summary>
internal sealed class SessionServices(
    SluiceSettings settings,
    SmtpPipelines pipelines,
    IMessageStore store,
    TimeProvider time,
    CertificateStore certificates,
    Auth.ISaslAuthenticator authenticator,
    ILogger<SmtpSession> logger)
{
    private readonly Dictionary<string, TlsPolicy> _tls = settings.Server.Listeners.ToDictionary(
        l => l.Id, l => new TlsPolicy(settings, l, certificates), StringComparer.Ordinal);
    private readonly TlsPolicy _noListener = new(settings, new ListenerSettings { Id = string.Empty, Bind = [] }, certificates);

    public SluiceSettings Settings { get; } = settings;

    public SmtpPipelines Pipelines { get; } = pipelines;

    public IMessageStore Store { get; } = store;

    public TimeProvider Time { get; } = time;

    public Auth.ISaslAuthenticator Authenticator { get; } = authenticator;

    public ILogger Logger { get; } = logger;

    public EhloReplyCache EhloReplies { get; } = new();

    /// <summary>The TLS policy of a listener (its overrides of <c>server.tls.*</c>).</summary>
    public TlsPolicy TlsPolicyFor(string listenerId) => _tls.TryGetValue(listenerId, out var policy) ? policy : _noListener;

    /// <summary>The host's instruments; a private meter when none is given.</summary>
    public SluiceMetrics Metrics { get; init; } = new();
}
