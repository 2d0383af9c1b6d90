using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Sluice.Configuration.Settings;

namespace Sluice.Hosting;

/// <summary>
/// Enforces <c>server.max-connections</c> and the listener's <c>max-connections</c>. Kestrel's own
/// limit closes the socket without a word; SMTP clients deserve <c>421 4.3.2</c> so they retry later.
/// </summary>
internal sealed partial class ConnectionLimitMiddleware(
    ConnectionDelegate next,
    ListenerSettings listener,
    SluiceSettings settings,
    ConnectionCounter counter,
    ILogger<ConnectionLimitMiddleware> logger)
{
    private readonly byte[] _tooMany = Encoding.ASCII.GetBytes(
        $"421 4.3.2 {settings.Server.Hostname} Too many connections, try again later\r\n");

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        var listenerLimit = listener.MaxConnections ?? settings.Server.MaxConnections;
        if (!counter.TryAcquire(listener.Id, settings.Server.MaxConnections, listenerLimit))
        {
            LogRefused(logger, listener.Id, connection.RemoteEndPoint);
            await connection.Transport.Output.WriteAsync(_tooMany, connection.ConnectionClosed);
            await connection.Transport.Output.CompleteAsync();
            return;
        }

        try
        {
            await next(connection);
        }
        finally
        {
            counter.Release(listener.Id);
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Connection limit reached on listener {Listener}: refused {Remote} with 421")]
    private static partial void LogRefused(ILogger logger, string listener, System.Net.EndPoint? remote);
}
