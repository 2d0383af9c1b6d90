using Microsoft.Extensions.Logging;
using Sluice.Configuration.Settings;
using Sluice.Observability;
using Sluice.Protocol;
using Sluice.Queue;
using Sluice.Stages;

namespace Sluice.Session;

/// <summary>What every session shares: settings, the built pipelines, the store, the clock, the EHLO reply cache.</summary>
internal sealed class SessionServices(
    SluiceSettings settings,
    SmtpPipelines pipelines,
    IMessageStore store,
    TimeProvider time,
    ILogger<SmtpSession> logger)
{
    public SluiceSettings Settings { get; } = settings;

    public SmtpPipelines Pipelines { get; } = pipelines;

    public IMessageStore Store { get; } = store;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;

    public EhloReplyCache EhloReplies { get; } = new();

    /// <summary>The host's instruments; a private meter when none is given.</summary>
    public SluiceMetrics Metrics { get; init; } = new();
}
