using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Hosting;
using Sluice.Tests.Support;

namespace Sluice.Tests.Hostile;

/// <summary>Clients that try to exhaust the server: many idle connections, floods of commands, a huge chunk never sent, noise.</summary>
public class ExhaustionTests
{
    [Test]
    public async Task Two_thousand_idle_connections_are_held_with_bounded_memory_and_others_are_still_served()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml());
        var counter = server.App.Services.GetRequiredService<ConnectionCounter>();
        var endPoint = server.EndPoint("smtp");
        ForceGc();
        var before = Process.GetCurrentProcess().PrivateMemorySize64;
        var managedBefore = GC.GetTotalMemory(forceFullCollection: true);

        const int count = 2000;
        var clients = new List<TcpClient>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var tcp = new TcpClient();
                await tcp.ConnectAsync(endPoint);
                clients.Add(tcp);
            }
            var until = DateTime.UtcNow.AddSeconds(30);
            while (counter.Total < count && DateTime.UtcNow < until)
            {
                await Task.Delay(20);
            }
            Assert.That(counter.Total, Is.EqualTo(count), "every connection is an open session");

            ForceGc();
            var managedPer = (GC.GetTotalMemory(forceFullCollection: true) - managedBefore) / count;
            var processPer = (Process.GetCurrentProcess().PrivateMemorySize64 - before) / count;
            // Both the client and the server side live in this process: the figures are an upper bound.
            TestContext.Out.WriteLine($"idle connection: {managedPer} managed bytes, {processPer} private bytes (client and server sides together)");
            Assert.That(managedPer, Is.LessThan(64 * 1024), "managed memory per idle connection");

            await using var other = await LineClient.ConnectAsync(endPoint);
            Assert.That(await other.ReadLineAsync(), Does.StartWith("220 "));
        }
        finally
        {
            foreach (var tcp in clients)
            {
                tcp.Dispose();
            }
        }
    }

    [Test]
    public async Task A_hundred_thousand_RCPT_commands_are_refused_quickly_past_max_recipients()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml());
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPoint("smtp"));
        var stream = tcp.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Assert.That(await reader.ReadLineAsync(timeout.Token), Does.StartWith("220 "));

        const int total = 100_000;
        var commands = new StringBuilder("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\n");
        for (var i = 0; i < total; i++)
        {
            commands.Append("RCPT TO:<r").Append(i).Append("@d.example>\r\n");
        }
        var send = stream.WriteAsync(Encoding.ASCII.GetBytes(commands.ToString()), timeout.Token).AsTask();

        int accepted = 0, tooMany = 0, other = 0;
        string? line;
        do
        {
            line = await reader.ReadLineAsync(timeout.Token);
        }
        while (line is not null && line.StartsWith("250-", StringComparison.Ordinal));
        Assert.That(await reader.ReadLineAsync(timeout.Token), Does.StartWith("250 2.1.0"));
        for (var i = 0; i < total; i++)
        {
            line = await reader.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                break;
            }
            if (line.StartsWith("250 2.1.5", StringComparison.Ordinal))
            {
                accepted++;
            }
            else if (line.StartsWith("455 4.5.3", StringComparison.Ordinal))
            {
                tooMany++;
            }
            else
            {
                other++;
            }
        }
        await send;
        Assert.That((accepted, tooMany, other), Is.EqualTo((100, total - 100, 0)));
    }

    [Test]
    public async Task A_2_GB_BDAT_announced_and_never_sent_is_cut_at_the_timeout()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml("[session]\ntimeout = \"500ms\"\n[session.data.limits]\nsize = \"3gb\""));
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        await client.ReadLineAsync();
        await client.SendAsync("EHLO c.example\r\n");
        await client.ReadReplyAsync();
        await client.SendAsync("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 2147483648 LAST\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 "));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 "));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("421 4.4.2"));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task Random_binary_input_gets_replies_not_a_crash_and_others_are_served()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml("[session]\ntransfer-limit = \"512kb\""));
        var random = new Random(1234);
        for (var round = 0; round < 5; round++)
        {
            var noise = new byte[256 * 1024];
            random.NextBytes(noise);
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(server.EndPoint("smtp"));
            var stream = tcp.GetStream();
            try
            {
                await stream.WriteAsync(noise);
                var sink = new byte[64 * 1024];
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                while (await stream.ReadAsync(sink, timeout.Token) > 0)
                {
                    // Drain the replies until the server is done with us or we are done sending.
                    if (timeout.IsCancellationRequested)
                    {
                        break;
                    }
                    tcp.Client.Shutdown(SocketShutdown.Send);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // Closed on us: acceptable for noise.
            }
        }

        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
        await client.SendAsync("NOOP\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 "));
    }

    private static void ForceGc()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
