using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sluice.Configuration.Settings;
using Sluice.Observability;

namespace Sluice.Hosting;

/// <summary>
/// Graceful shutdown (SPEC §5). On <c>ApplicationStopping</c> readiness turns 503, every open SMTP
/// connection is asked to close through Kestrel's own <see cref="IConnectionLifetimeNotificationFeature"/>
/// (the session answers 421 4.3.0 at its next command boundary, after a transfer in flight is
/// stored), and new SMTP connections are answered 421 4.3.0 and closed. The host's stop then waits,
/// before Kestrel stops any listener (HTTP included, so <c>/readyz</c> keeps answering 503), until
/// the last session has ended or <c>server.shutdown-timeout</c> has passed; Kestrel aborts what is left.
/// </summary>
public sealed class SluiceDrain
{
    private readonly ConcurrentDictionary<string, ConnectionContext> _open = new(StringComparer.Ordinal);
    private readonly SluiceListenerRegistry _registry;
    private TaskCompletionSource _empty = NewSignal();
    private volatile bool _draining;

    public SluiceDrain(SluiceListenerRegistry registry)
    {
        _registry = registry;
    }

    /// <summary>True once the server has begun to drain.</summary>
    public bool Draining => _draining;

    /// <summary>SMTP connections open now.</summary>
    public int OpenConnections => _open.Count;

    /// <summary>Starts draining: readiness turns 503 and every open SMTP connection is asked to close. Idempotent.</summary>
    public void BeginDrain()
    {
        _registry.MarkDraining();
        _draining = true;
        foreach (var connection in _open.Values)
        {
            RequestClose(connection);
        }
        SignalIfEmpty();
    }

    /// <summary>Completes when no SMTP connection is open (after <see cref="BeginDrain"/>), or throws when <paramref name="cancellationToken"/> fires.</summary>
    public Task WaitForSessionsAsync(CancellationToken cancellationToken)
    {
        SignalIfEmpty();
        return Volatile.Read(ref _empty).Task.WaitAsync(cancellationToken);
    }

    internal void Track(ConnectionContext connection)
    {
        _open[connection.ConnectionId] = connection;
        if (_draining)
        {
            // Raced with BeginDrain's sweep: ask this one too.
            RequestClose(connection);
        }
    }

    internal void Untrack(ConnectionContext connection)
    {
        _open.TryRemove(connection.ConnectionId, out _);
        SignalIfEmpty();
    }

    private void SignalIfEmpty()
    {
        if (_draining && _open.IsEmpty)
        {
            Volatile.Read(ref _empty).TrySetResult();
        }
    }

    private static void RequestClose(ConnectionContext connection) =>
        connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.RequestClose();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// First connection middleware of every SMTP listener: counts connections for the metrics, tracks them
/// for <see cref="SluiceDrain"/>, and answers 421 4.3.0 to connections that arrive while draining.
/// </summary>
internal sealed partial class DrainMiddleware(
    ConnectionDelegate next,
    ListenerSettings listener,
    SluiceSettings settings,
    SluiceDrain drain,
    SluiceMetrics metrics,
    ILogger<DrainMiddleware> logger)
{
    private readonly byte[] _shuttingDown = Encoding.ASCII.GetBytes(
        $"421 4.3.0 {settings.Server.Hostname} Server shutting down, try again later\r\n");

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        metrics.ConnectionOpened(listener.Id);
        try
        {
            if (drain.Draining)
            {
                LogRefusedWhileDraining(logger, listener.Id, connection.RemoteEndPoint);
                metrics.SessionEnded(listener.Id, SessionOutcomes.Shutdown);
                await connection.Transport.Output.WriteAsync(_shuttingDown, connection.ConnectionClosed);
                await connection.Transport.Output.CompleteAsync();
                return;
            }
            drain.Track(connection);
            try
            {
                await next(connection);
            }
            finally
            {
                drain.Untrack(connection);
            }
        }
        finally
        {
            metrics.ConnectionClosed(listener.Id);
        }
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Shutting down: refused a new connection on listener {Listener} from {Remote} with 421")]
    private static partial void LogRefusedWhileDraining(ILogger logger, string listener, System.Net.EndPoint? remote);
}

/// <summary>
/// Runs the drain inside the host's stop: <see cref="IHostedLifecycleService.StoppingAsync"/> runs
/// before any hosted service stops (Kestrel among them), so the HTTP listener still serves
/// <c>/readyz</c> (503) while SMTP sessions finish.
/// </summary>
internal sealed partial class SluiceShutdownService(
    IHostApplicationLifetime lifetime,
    SluiceDrain drain,
    ILogger<SluiceShutdownService> logger) : IHostedLifecycleService
{
    private CancellationTokenRegistration _stopping;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The earliest moment: the signal handler's StopApplication fires this before the host stops anything.
        _stopping = lifetime.ApplicationStopping.Register(static s => ((SluiceDrain)s!).BeginDrain(), drain);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        drain.BeginDrain();
        var open = drain.OpenConnections;
        if (open > 0)
        {
            LogDraining(logger, open);
        }
        try
        {
            await drain.WaitForSessionsAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            LogDrainTimedOut(logger, drain.OpenConnections);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Dispose();
        return Task.CompletedTask;
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "Shutting down: waiting for {Count} SMTP sessions to finish")]
    private static partial void LogDraining(ILogger logger, int count);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "Shutdown timeout reached with {Count} SMTP sessions still open: they are aborted")]
    private static partial void LogDrainTimedOut(ILogger logger, int count);
}
