// SmtpServer (NuGet) on 127.0.0.1:PORT, storing each message as one file in DIR (no fsync).
//   dotnet SmtpServerBaseline.dll PORT DIR
using System.Buffers;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Protocol;
using SmtpServer.Storage;

var port = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
var directory = args[1];
Directory.CreateDirectory(directory);
var options = new SmtpServerOptionsBuilder()
    .ServerName("baseline.test")
    .Endpoint(e => e.Endpoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port)))
    .Build();
var services = new ServiceProvider();
services.Add(new FilePerMessageStore(directory));
var server = new SmtpServer.SmtpServer(options, services);
var running = server.StartAsync(CancellationToken.None);
Console.WriteLine($"listening: {port}"); // the script also waits until the port takes a connection
await running;

internal sealed class FilePerMessageStore(string directory) : MessageStore
{
    public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".eml");
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true);
        foreach (var segment in buffer)
        {
            await file.WriteAsync(segment, cancellationToken);
        }

        return SmtpResponse.Ok;
    }
}
