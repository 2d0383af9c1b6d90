using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Sluice.Configuration.Settings;
using Sluice.Hosting;

namespace Sluice.Session;

/// <summary>
/// The SMTP connection handler Kestrel runs for each connection on an SMTP listener. This is the
/// walking skeleton: greeting, NOOP, QUIT, and 502 for everything else; the real session replaces it.
/// </summary>
public sealed partial class SmtpConnectionHandler(SluiceSettings settings, ILogger<SmtpConnectionHandler> logger) : ConnectionHandler
{
    private const int MaxLine = 2048;

    private readonly byte[] _greeting = Encoding.ASCII.GetBytes($"220 {settings.Server.Hostname} Sluice ESMTP at your service\r\n");
    private static readonly byte[] s_ok = "250 2.0.0 OK\r\n"u8.ToArray();
    private static readonly byte[] s_bye = "221 2.0.0 Bye\r\n"u8.ToArray();
    private static readonly byte[] s_notImplemented = "502 5.5.1 Command not implemented\r\n"u8.ToArray();
    private static readonly byte[] s_tooLong = "554 5.3.4 Line too long\r\n"u8.ToArray();

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var listener = connection.Features.Get<ISluiceListenerFeature>()?.Listener.Id ?? "?";
        LogConnected(logger, connection.ConnectionId, listener, connection.RemoteEndPoint);
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        var token = connection.ConnectionClosed;
        try
        {
            await output.WriteAsync(_greeting, token);
            var discarding = false;
            while (true)
            {
                var result = await input.ReadAsync(token);
                var buffer = result.Buffer;
                var quit = false;
                while (!quit && TryReadLine(ref buffer, out var line, ref discarding, out var tooLong))
                {
                    if (tooLong)
                    {
                        output.Write(s_tooLong);
                        continue;
                    }
                    quit = Respond(line, output);
                }
                if (!discarding && buffer.Length > MaxLine)
                {
                    // No CRLF within the limit: answer once, then drop the rest of the line as it arrives.
                    output.Write(s_tooLong);
                    discarding = true;
                    buffer = buffer.Slice(buffer.End);
                }
                else if (discarding)
                {
                    buffer = buffer.Slice(buffer.End);
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                await output.FlushAsync(token);
                if (quit || result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The connection closed under us.
        }
        catch (ConnectionResetException)
        {
        }
        finally
        {
            LogClosed(logger, connection.ConnectionId);
        }
    }

    private static bool Respond(ReadOnlySequence<byte> line, PipeWriter output)
    {
        Span<byte> verb = stackalloc byte[4];
        var length = (int)Math.Min(line.Length, 4);
        line.Slice(0, length).CopyTo(verb);
        var word = Encoding.ASCII.GetString(verb[..length]).ToUpperInvariant();
        var exact = line.Length == 4 || (line.Length > 4 && line.Slice(4, 1).FirstSpan[0] == (byte)' ');
        switch (word)
        {
            case "QUIT" when exact:
                output.Write(s_bye);
                return true;
            case "NOOP" when exact:
                output.Write(s_ok);
                return false;
            default:
                output.Write(s_notImplemented);
                return false;
        }
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line, ref bool discarding, out bool tooLong)
    {
        tooLong = false;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out line, "\r\n"u8))
        {
            return false;
        }
        buffer = buffer.Slice(reader.Position);
        if (discarding)
        {
            discarding = false;
            line = default;
            tooLong = false;
            return TryReadLine(ref buffer, out line, ref discarding, out tooLong);
        }
        tooLong = line.Length + 2 > MaxLine;
        return true;
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "Connection {ConnectionId} on listener {Listener} from {Remote}")]
    private static partial void LogConnected(ILogger logger, string connectionId, string listener, System.Net.EndPoint? remote);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "Connection {ConnectionId} closed")]
    private static partial void LogClosed(ILogger logger, string connectionId);
}
