using System.Net.Sockets;
using System.Text;
using Sluice.Tests.Support;

namespace Sluice.Tests.Hostile;

/// <summary>
/// Password guessing within one session stops at <c>session.auth.errors.total</c>, also when the
/// guesses come pipelined in one write: the guess that reaches the count is answered 455 4.3.0, the
/// connection closes, and no later guess is tried, not even the right one. (AuthTests covers the
/// kinds of failure that count; this is the burst a brute-forcing client sends.)
/// </summary>
public sealed class AuthBruteForceTests
{
    private const int Total = 4;

    [Test]
    public async Task Fifty_pipelined_guesses_get_errors_total_answers_and_the_right_password_after_them_is_never_tried()
    {
        await using var server = await StartServerAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPoint("smtp"));
        var stream = tcp.GetStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        Assert.That(await reader.ReadLineAsync(timeout.Token), Does.StartWith("220 "));

        // 49 wrong guesses, the right one, and a command after it: all in one write, replies unread.
        var burst = new StringBuilder("EHLO guesser.example\r\n");
        for (var i = 0; i < 49; i++)
        {
            burst.Append("AUTH PLAIN ").Append(Plain("jane", $"guess-{i}")).Append("\r\n");
        }

        burst.Append("AUTH PLAIN ").Append(Plain("jane", "right-password")).Append("\r\nMAIL FROM:<jane@example.org>\r\n");
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(burst.ToString()), timeout.Token);
        }
        catch (IOException)
        {
            // The server may already have closed the connection with part of the burst unread.
        }

        var replies = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(timeout.Token);
            }
            catch (IOException)
            {
                break; // reset: the server closed with our burst unread
            }

            if (line is null)
            {
                break;
            }

            if (!line.StartsWith("250", StringComparison.Ordinal))
            {
                replies.Add(line[..Math.Min(9, line.Length)]);
            }
        }

        Assert.That(replies, Is.EqualTo(Enumerable.Repeat("535 5.7.8", Total - 1).Append("455 4.3.0")), "the guesses answered before the close");
    }

    [Test]
    public async Task Each_new_session_starts_with_the_count_and_the_right_password_still_works_after_a_closed_one()
    {
        await using var server = await StartServerAsync();

        // A guesser that reconnects gets errors.total tries per connection, not more.
        for (var session = 0; session < 2; session++)
        {
            await using var guesser = await LineClient.ConnectAsync(server.EndPoint("smtp"));
            await GreetAsync(guesser);
            for (var i = 1; i <= Total; i++)
            {
                await guesser.SendAsync("AUTH PLAIN " + Plain("jane", $"guess-{session}-{i}") + "\r\n");
                Assert.That(await guesser.ReadLineAsync(), Does.StartWith(i < Total ? "535 5.7.8" : "455 4.3.0"));
            }

            Assert.That(await guesser.IsClosedByServerAsync(), Is.True);
        }

        // The account is not locked by the guessing: the user still gets in.
        await using var user = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        await GreetAsync(user);
        await user.SendAsync("AUTH PLAIN " + Plain("jane", "right-password") + "\r\n");
        Assert.That(await user.ReadLineAsync(), Does.StartWith("235 2.7.0"));
    }

    private static async Task GreetAsync(LineClient client)
    {
        Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
        await client.SendAsync("EHLO guesser.example\r\n");
        Assert.That((await client.ReadReplyAsync())[^1], Does.StartWith("250 "));
    }

    private static string Plain(string user, string password) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));

    /// <summary>One user (jane / right-password), AUTH PLAIN in plain text, errors.total = <see cref="Total"/>, no wait.</summary>
    private static Task<RunningServer> StartServerAsync() => RunningServer.StartAsync(RunningServer.MinimalToml($"""
        [directory."local"]
        type = "memory"
        domains = ["example.org"]
        [[directory."local".users]]
        name = "jane"
        secret = "right-password"
        email = "jane@example.org"

        [session.auth]
        mechanisms = ["plain"]
        directory = "local"
        allow-plain-text = true
        errors.total = {Total}
        errors.wait = "0s"
        """));
}
