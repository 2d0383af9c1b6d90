using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Sluice.Load;

internal readonly record struct LoadResult(int Completed, int Failed);

/// <summary>Runs the load: sessions take batches from one shared count of messages left to send.</summary>
internal static class LoadRun
{
    public static async Task<LoadResult> MessagesAsync(LoadOptions options)
    {
        var body = MessageBody(options.Size);
        var remaining = options.Messages;
        var completed = 0;
        var workers = Enumerable.Range(0, options.Sessions).Select(async _ =>
        {
            while (true)
            {
                var batch = TakeBatch(ref remaining, options.PerConnection);
                if (batch == 0)
                {
                    return;
                }
                try
                {
                    await using var session = await SmtpLoadSession.OpenAsync(options.Server, options.StartTls);
                    for (var i = 0; i < batch; i++)
                    {
                        await session.SendAsync(body);
                        Interlocked.Increment(ref completed);
                    }
                    await session.QuitAsync();
                }
                catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException or AuthenticationException)
                {
                    Console.Error.WriteLine("session failed: " + ex.Message);
                }
            }
        });
        await Task.WhenAll(workers);
        return new LoadResult(completed, options.Messages - completed);
    }

    public static async Task<LoadResult> HandshakesAsync(LoadOptions options)
    {
        var remaining = options.Messages;
        var completed = 0;
        var workers = Enumerable.Range(0, options.Sessions).Select(async _ =>
        {
            while (TakeBatch(ref remaining, 1) == 1)
            {
                try
                {
                    await using var session = await SmtpLoadSession.OpenAsync(options.Server, startTls: true);
                    await session.QuitAsync();
                    Interlocked.Increment(ref completed);
                }
                catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException or AuthenticationException)
                {
                    Console.Error.WriteLine("handshake failed: " + ex.Message);
                }
            }
        });
        await Task.WhenAll(workers);
        return new LoadResult(completed, options.Messages - completed);
    }

    /// <summary>Takes up to <paramref name="size"/> from the shared count; 0 when nothing is left.</summary>
    private static int TakeBatch(ref int remaining, int size)
    {
        while (true)
        {
            var left = Volatile.Read(ref remaining);
            if (left <= 0)
            {
                return 0;
            }
            var take = Math.Min(left, size);
            if (Interlocked.CompareExchange(ref remaining, left - take, left) == left)
            {
                return take;
            }
        }
    }

    /// <summary>A message of about <paramref name="size"/> bytes: a few headers, 76-character lines, the final dot.</summary>
    private static byte[] MessageBody(int size)
    {
        var text = new StringBuilder("From: load@client.example\r\nTo: sink@server.example\r\nSubject: load\r\n\r\n");
        var line = new string('x', 76) + "\r\n";
        while (text.Length + line.Length < size)
        {
            text.Append(line);
        }
        text.Append(".\r\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }
}
