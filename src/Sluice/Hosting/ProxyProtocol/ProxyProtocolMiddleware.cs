using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Sluice.Configuration.Settings;
using Sluice.Hosting.ProxyProtocol;

namespace Sluice.Hosting;

/// <summary>What a PROXY protocol header carried, as a connection feature.</summary>
public interface IProxyProtocolFeature
{
    /// <summary>The load balancer that sent the header (the socket's own peer).</summary>
    IPEndPoint ProxyEndPoint { get; }

    /// <summary>The client as the proxy saw it; null when the header carried none (v1 UNKNOWN, v2 LOCAL).</summary>
    IPEndPoint? ClientEndPoint { get; }

    /// <summary>The address the client connected to at the proxy; null when the header carried none.</summary>
    IPEndPoint? DestinationEndPoint { get; }

    /// <summary>1 or 2.</summary>
    int Version { get; }
}

internal sealed record ProxyProtocolFeature(IPEndPoint ProxyEndPoint, IPEndPoint? ClientEndPoint, IPEndPoint? DestinationEndPoint, int Version)
    : IProxyProtocolFeature;

/// <summary>
/// PROXY protocol v1/v2 on a listener with <c>proxy-protocol = true</c>. A peer inside
/// <c>server.proxy.trusted-networks</c> must start with a header within <c>server.proxy.timeout</c>
/// (or it is closed); the client address it carries replaces the connection's
/// <see cref="ConnectionContext.RemoteEndPoint"/>, the way ASP.NET's forwarded headers replace the
/// request's remote address, so the session's rules, logs, <c>Received</c> and the queue's
/// <c>remote-ip</c> all see the client. Any other peer is served with its own address, untouched: a
/// PROXY line from it reaches the session as an unknown command.
/// </summary>
internal sealed partial class ProxyProtocolMiddleware(
    ConnectionDelegate next,
    ProxySettings proxy,
    TimeProvider time,
    ILogger<ProxyProtocolMiddleware> logger)
{
    /// <summary>Each read brings at least one byte, so a header of bounded length takes boundedly many reads.</summary>
    private const int MaxReads = ProxyHeaderParser.MaxV2Length + 1;

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        if (connection.RemoteEndPoint is not IPEndPoint peer || !IsTrusted(peer.Address))
        {
            await next(connection);
            return;
        }

        var input = connection.Transport.Input;
        using var timeout = new CancellationTokenSource(proxy.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, connection.ConnectionClosed);
        ProxyHeader header;
        try
        {
            for (var reads = 0; ; reads++)
            {
                if (reads >= MaxReads)
                {
                    LogInvalid(logger, peer);
                    return;
                }
                var result = await input.ReadAsync(linked.Token);
                var buffer = result.Buffer;
                var status = ProxyHeaderParser.TryParse(buffer, out header, out var consumed);
                if (status == ProxyParseStatus.Done)
                {
                    input.AdvanceTo(consumed);
                    break;
                }
                if (status == ProxyParseStatus.Invalid)
                {
                    input.AdvanceTo(buffer.End);
                    LogInvalid(logger, peer);
                    return;
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            LogTimeout(logger, peer, proxy.Timeout);
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        connection.Features.Set<IProxyProtocolFeature>(new ProxyProtocolFeature(peer, header.Source, header.Destination, header.Version));
        if (header.Source is { } client)
        {
            connection.RemoteEndPoint = client;
            connection.LocalEndPoint = header.Destination;
        }
        LogAccepted(logger, peer, header.Version, connection.RemoteEndPoint);
        await next(connection);
    }

    private bool IsTrusted(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        foreach (var network in proxy.TrustedNetworks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }
        return false;
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Debug, Message = "PROXY v{Version} header from {Proxy}: client {Client}")]
    private static partial void LogAccepted(ILogger logger, IPEndPoint proxy, int version, EndPoint? client);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "Trusted proxy {Proxy} sent an invalid or oversized PROXY header: connection closed")]
    private static partial void LogInvalid(ILogger logger, IPEndPoint proxy);

    [LoggerMessage(EventId = 122, Level = LogLevel.Warning, Message = "Trusted proxy {Proxy} sent no PROXY header within {Timeout}: connection closed")]
    private static partial void LogTimeout(ILogger logger, IPEndPoint proxy, TimeSpan timeout);
}
