using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Hosting;
using Sluice.Tests.Support;

namespace Sluice.Tests.Limits;

/// <summary>
/// SPEC §2.4 limits against the real server over real sockets: a client that sends nothing is cut at
/// <c>timeout</c>, one that trickles at <c>duration</c>, one that floods at <c>transfer-limit</c>, and
/// one that never reads its replies does not hold its session past the timeout.
/// </summary>
public class SessionLimitsTests
{
    private static string Config(string session) => RunningServer.MinimalToml($"[session]\n{session}\n");

    [Test]
    public async Task A_silent_client_is_cut_at_the_inactivity_timeout_with_421_4_4_2()
    {
        await using var server = await RunningServer.StartAsync(Config("timeout = \"300ms\""));
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("421 4.4.2"));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task Complete_commands_keep_a_session_alive_past_the_timeout()
    {
        await using var server = await RunningServer.StartAsync(Config("timeout = \"1s\""));
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
        // Eight NOOPs 250 ms apart span two seconds, twice the timeout; each gap leaves 750 ms of slack
        // for a loaded machine.
        for (var i = 0; i < 8; i++)
        {
            await Task.Delay(250);
            await client.SendAsync("NOOP\r\n");
            Assert.That(await client.ReadLineAsync(), Does.StartWith("250 "));
        }
    }

    [Test]
    public async Task A_client_trickling_a_command_byte_by_byte_is_cut_at_the_timeout()
    {
        // Bytes arrive, but no command completes: that is inactivity.
        await using var server = await RunningServer.StartAsync(Config("timeout = \"500ms\""));
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
        var reply = await TrickleUntilReplyAsync(client, "NOOPNOOPNOOPNOOPNOOPNOOPNOOPNOOP", TimeSpan.FromMilliseconds(100));
        Assert.That(reply, Does.StartWith("421 4.4.2"));
    }

    [Test]
    public async Task A_slowloris_inside_DATA_is_cut_at_the_session_duration_with_421_4_3_2()
    {
        await using var server = await RunningServer.StartAsync(Config("timeout = \"5s\"\nduration = \"1s\""));
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
        await client.SendAsync("HELO client.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 "));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 "));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 "));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("354 "));
        // One byte every 200 ms: each read resets nothing but the data keeps coming; duration ends it.
        var reply = await TrickleUntilReplyAsync(client, new string('x', 100), TimeSpan.FromMilliseconds(200));
        Assert.That(reply, Does.StartWith("421 4.3.2"));
        Assert.That(Directory.Exists(Path.Combine(server.Directory, "queue"))
            ? Directory.GetFiles(Path.Combine(server.Directory, "queue"), "*.json") : [], Is.Empty, "nothing half-received is stored");
    }

    [Test]
    public async Task A_flooding_client_is_cut_at_the_transfer_limit_with_452_4_7_28()
    {
        await using var server = await RunningServer.StartAsync(Config("transfer-limit = \"64kb\""));
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
        var flood = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("NOOP\r\n", 200_000)));
        var send = client.SendRawAsync(flood);
        string? last = null;
        for (var i = 0; i < 250_000; i++)
        {
            var line = await client.ReadLineAsync();
            if (line is null)
            {
                break;
            }
            last = line;
        }
        Assert.That(last, Does.StartWith("452 4.7.28"));
        await IgnoreResetAsync(send);
    }

    [Test]
    public async Task A_client_that_never_reads_its_replies_does_not_hold_its_session_past_the_timeout()
    {
        await using var server = await RunningServer.StartAsync(Config("timeout = \"1s\""));
        var counter = server.App.Services.GetRequiredService<ConnectionCounter>();
        using var tcp = new TcpClient();
        tcp.ReceiveBufferSize = 4096;
        await tcp.ConnectAsync(server.EndPoint("smtp"));
        var stream = tcp.GetStream();
        Assert.That(await PollAsync(() => counter.Total == 1, TimeSpan.FromSeconds(10)), Is.True, "the session should start");

        // Pipeline NOOPs without ever reading: the replies back up, Kestrel's output pipe fills and the
        // session's flush waits — until the inactivity timeout cancels it.
        var noops = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("NOOP\r\n", 100_000)));
        using var sendTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var send = Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await stream.WriteAsync(noops, sendTimeout.Token);
            }
        });

        Assert.That(await PollAsync(() => counter.Total == 0, TimeSpan.FromSeconds(15)), Is.True,
            "the session should end within the timeout although the client reads nothing");

        // Meanwhile and afterwards, other clients are served.
        await using var other = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await other.ReadLineAsync(), Does.StartWith("220 "));
        await sendTimeout.CancelAsync();
        await IgnoreResetAsync(send);
    }

    private static async Task<string?> TrickleUntilReplyAsync(LineClient client, string text, TimeSpan pace)
    {
        var readTask = client.ReadLineAsync();
        foreach (var ch in text)
        {
            if (readTask.IsCompleted)
            {
                break;
            }
            try
            {
                await client.SendAsync(ch.ToString());
            }
            catch (IOException)
            {
                break;
            }
            // Pacing the sender (a slowloris) is the test's subject, not a wait for a condition.
            await Task.WhenAny(readTask, Task.Delay(pace));
        }
        return await readTask;
    }

    private static async Task<bool> PollAsync(Func<bool> condition, TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        while (DateTime.UtcNow < until)
        {
            if (condition())
            {
                return true;
            }
            await Task.Delay(20);
        }
        return condition();
    }

    private static async Task IgnoreResetAsync(Task send)
    {
        try
        {
            await send;
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            // The server closed the connection under the sender, as it should.
        }
    }
}
