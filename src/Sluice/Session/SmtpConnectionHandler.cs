using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Sluice.Hosting;
using Sluice.Protocol;
using Sluice.Observability;

namespace Sluice.Session;

/// <summary>The connection handler Kestrel runs for each connection on an SMTP listener: one <see cref="SmtpSession"/> each.</summary>
public sealed partial class SmtpConnectionHandler : ConnectionHandler
{
    private SessionServices _services;
    private readonly ILogger<SmtpConnectionHandler> _logger;

    internal SmtpConnectionHandler(SessionServices services, ILogger<SmtpConnectionHandler> logger)
    {
        _services = services;
        _logger = logger;
    }

    /// <summary>Hot reload: sessions that start from now on use <paramref name="services"/>; those in flight keep theirs.</summary>
    internal void UseServices(SessionServices services) => Volatile.Write(ref _services, services);

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var listener = connection.Features.Get<ISluiceListenerFeature>()?.Listener.Id ?? string.Empty;
        LogConnected(_logger, connection.ConnectionId, listener, connection.RemoteEndPoint);
        var services = Volatile.Read(ref _services);
        using var activity = SluiceActivities.StartSession(connection.ConnectionId, listener, connection.RemoteEndPoint);
        using var session = new SmtpSession(connection, listener, services);
        try
        {
            await session.RunAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug (ours or a host's middleware) must not drop the client without a word.
            LogFailed(_logger, connection.ConnectionId, ex);
            await SendLocalErrorAsync(connection);
        }
        services.Metrics.SessionEnded(listener, session.Outcome);
        SluiceActivities.EndSession(activity, session.Outcome);
        LogClosed(_logger, connection.ConnectionId);
    }

    private static async Task SendLocalErrorAsync(ConnectionContext connection)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            SmtpReplies.LocalError.WriteTo(connection.Transport.Output);
            await connection.Transport.Output.FlushAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or ConnectionResetException)
        {
            // The client is gone or not reading.
        }
    }

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "Session {ConnectionId} failed")]
    private static partial void LogFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "Connection {ConnectionId} on listener {Listener} from {Remote}")]
    private static partial void LogConnected(ILogger logger, string connectionId, string listener, System.Net.EndPoint? remote);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "Connection {ConnectionId} closed")]
    private static partial void LogClosed(ILogger logger, string connectionId);
}
