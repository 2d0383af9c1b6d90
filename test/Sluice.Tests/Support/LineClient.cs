using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sluice.Tests.Support;

/// <summary>A raw SMTP client over a real socket: write lines, read reply lines, with a deadline on every read.</summary>
public sealed class LineClient : IAsyncDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(10);
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private LineClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new StreamReader(_stream, Encoding.ASCII);
    }

    public static async Task<LineClient> ConnectAsync(IPEndPoint endPoint)
    {
        var tcp = new TcpClient();
        using var timeout = new CancellationTokenSource(s_deadline);
        await tcp.ConnectAsync(endPoint, timeout.Token);
        return new LineClient(tcp);
    }

    public async Task SendAsync(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        await _stream.WriteAsync(bytes);
    }

    /// <summary>Writes raw bytes (a flood, binary data).</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _stream.WriteAsync(bytes, timeout.Token);
    }

    /// <summary>Reads one line (without CRLF); null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(s_deadline);
        return await _reader.ReadLineAsync(timeout.Token);
    }

    /// <summary>Reads a whole reply (continuation lines <c>250-...</c> up to the final <c>250 ...</c>).</summary>
    public async Task<List<string>> ReadReplyAsync()
    {
        var lines = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            var line = await ReadLineAsync() ?? throw new IOException("connection closed in the middle of a reply");
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return lines;
            }
        }
        throw new IOException("reply longer than 1000 lines");
    }

    /// <summary>True when the server has closed the connection (reads end of stream before the deadline).</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        try
        {
            return await ReadLineAsync() is null;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
