using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Sluice.Load;

/// <summary>One client connection: greeting, EHLO, optional STARTTLS, then pipelined transactions.</summary>
internal sealed class SmtpLoadSession : IAsyncDisposable
{
    private static readonly byte[] s_envelope = "MAIL FROM:<load@client.example>\r\nRCPT TO:<sink@server.example>\r\nDATA\r\n"u8.ToArray();
    private readonly TcpClient _tcp;
    private Stream _stream;
    private StreamReader _reader;

    private SmtpLoadSession(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new StreamReader(_stream, Encoding.ASCII);
    }

    public static async Task<SmtpLoadSession> OpenAsync(IPEndPoint server, bool startTls)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(server);
        var session = new SmtpLoadSession(tcp);
        await session.ExpectAsync("220");
        await session.EhloAsync();
        if (startTls)
        {
            await session.WriteAsync("STARTTLS\r\n"u8.ToArray());
            await session.ExpectAsync("220");
            var ssl = new SslStream(session._stream, false, static (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync("localhost");
            session._stream = ssl;
            session._reader = new StreamReader(ssl, Encoding.ASCII);
            await session.EhloAsync();
        }
        return session;
    }

    public async Task SendAsync(byte[] message)
    {
        await WriteAsync(s_envelope);
        await ExpectAsync("250");
        await ExpectAsync("250");
        await ExpectAsync("354");
        await WriteAsync(message);
        await ExpectAsync("250");
    }

    public async Task QuitAsync()
    {
        await WriteAsync("QUIT\r\n"u8.ToArray());
        await ExpectAsync("221");
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }

    private async Task EhloAsync()
    {
        await WriteAsync("EHLO load.client.example\r\n"u8.ToArray());
        for (var i = 0; i < 100; i++)
        {
            var line = await ReadLineAsync();
            if (line.Length >= 4 && line[3] == ' ')
            {
                return;
            }
        }
        throw new InvalidOperationException("EHLO reply too long");
    }

    private async Task WriteAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    private async Task ExpectAsync(string code)
    {
        var line = await ReadLineAsync();
        if (!line.StartsWith(code, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"expected {code}, got '{line}'");
        }
    }

    private async Task<string> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await _reader.ReadLineAsync(timeout.Token) ?? throw new IOException("connection closed");
    }
}
