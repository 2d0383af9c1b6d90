using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sluice.Tests.Session;

/// <summary>
/// A byte-level SMTP client over a real socket: sends raw bytes, reads CRLF-terminated reply lines
/// with a deadline on every read, and remembers which socket read delivered each line (to check that
/// the replies of a pipelined batch arrive together).
/// </summary>
public sealed class RawSmtpClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private int _reads;
    private bool _eof;

    private RawSmtpClient(Socket socket) => _socket = socket;

    /// <summary>The socket read that delivered the last byte of the last line returned.</summary>
    public int LastLineRead { get; private set; }

    public static async Task<RawSmtpClient> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(DefaultDeadline);
        await socket.ConnectAsync(endPoint, timeout.Token);
        return new RawSmtpClient(socket);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(DefaultDeadline);
        while (!bytes.IsEmpty)
        {
            var n = await _socket.SendAsync(bytes, SocketFlags.None, timeout.Token);
            bytes = bytes[n..];
        }
    }

    /// <summary>Reads one line without its CRLF; null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? deadline = null)
    {
        using var timeout = new CancellationTokenSource(deadline ?? DefaultDeadline);
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var lf = span.IndexOf("\r\n"u8);
            if (lf >= 0)
            {
                var line = Encoding.UTF8.GetString(span[..lf]);
                _start += lf + 2;
                LastLineRead = _reads;
                return line;
            }
            if (_eof)
            {
                return null;
            }
            if (_start > 0)
            {
                span.CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
            {
                throw new IOException("reply line longer than the client buffer");
            }
            int n;
            try
            {
                n = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, timeout.Token);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                n = 0;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"no complete reply line within {(deadline ?? DefaultDeadline).TotalSeconds:0.#} s"
                    + (_end > _start ? $" (partial: '{Encoding.UTF8.GetString(_buffer, _start, _end - _start)}')" : string.Empty));
            }
            _reads++;
            if (n == 0)
            {
                _eof = true;
            }
            _end += n;
        }
    }

    /// <summary>Reads one whole reply (<c>250-...</c> lines up to the <c>250 ...</c> one).</summary>
    public async Task<List<string>> ReadReplyAsync()
    {
        var lines = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            var line = await ReadLineAsync() ?? throw new IOException("connection closed " + (lines.Count == 0 ? "before a reply" : "in the middle of a reply"));
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return lines;
            }
        }
        throw new IOException("reply longer than 1000 lines");
    }

    /// <summary>Sends <paramref name="command"/> + CRLF and reads its reply's last line.</summary>
    public async Task<string> CommandAsync(string command)
    {
        await SendAsync(command + "\r\n");
        return (await ReadReplyAsync())[^1];
    }

    /// <summary>True when the server closed the connection (end of stream or reset) before the deadline with nothing more to say.</summary>
    public async Task<bool> IsClosedByServerAsync() => await ReadLineAsync() is null;

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
