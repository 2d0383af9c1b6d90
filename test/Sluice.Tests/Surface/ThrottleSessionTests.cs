using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Sluice.Tests.Support;

namespace Sluice.Tests.Surface;

/// <summary>
/// <c>[[session.throttle]]</c> over real sockets (SPEC §2.6): at connect 421 4.3.2 and close, later
/// 452 4.4.5 to the command; the server's clock is a fake one, so time passes only when the test says.
/// </summary>
public class ThrottleSessionTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(10);

    private static async Task<(RunningServer Server, FakeTimeProvider Clock)> StartAsync(string throttles)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var server = await RunningServer.StartAsync(RunningServer.MinimalToml(throttles), b => b.Services.AddSingleton<TimeProvider>(clock));
        return (server, clock);
    }

    [Test]
    public async Task Concurrency_keyed_on_the_remote_address_counts_sessions()
    {
        var (server, _) = await StartAsync("""
            [[session.throttle]]
            key = ["remote-ip"]
            concurrency = 2
            """);
        await using var _ = server;
        var first = await SurfaceSupport.ConnectAsync(server);
        await using var second = await SurfaceSupport.ConnectAsync(server);
        await using (var third = await LineClient.ConnectAsync(server.EndPoint("smtp")))
        {
            Assert.That(await third.ReadLineAsync(), Does.StartWith("421 4.3.2"));
            Assert.That(await third.IsClosedByServerAsync(), Is.True);
        }

        // (With the fake clock the server lingers after QUIT until the client closes: the client closes.)
        Assert.That(await first.SayAsync("QUIT"), Does.StartWith("221"));
        await first.DisposeAsync();

        // The place is given back when the session ends: poll (bounded) until a new connection is greeted.
        var deadline = DateTime.UtcNow + s_deadline;
        string? greeting = null;
        for (var attempt = 0; attempt < 200 && DateTime.UtcNow < deadline; attempt++)
        {
            await using var next = await LineClient.ConnectAsync(server.EndPoint("smtp"));
            greeting = await next.ReadLineAsync();
            if (greeting?.StartsWith("220", StringComparison.Ordinal) == true)
            {
                break;
            }
        }
        Assert.That(greeting, Does.StartWith("220"));
    }

    [Test]
    public async Task A_rate_at_connect_closes_with_421_until_the_period_passes()
    {
        var (server, clock) = await StartAsync("""
            [[session.throttle]]
            key = ["remote-ip", "listener"]
            rate = "2/1h"
            """);
        await using var _ = server;
        for (var i = 0; i < 2; i++)
        {
            await using var ok = await SurfaceSupport.ConnectAsync(server);
            Assert.That(await ok.SayAsync("QUIT"), Does.StartWith("221"));
        }
        await using (var refused = await LineClient.ConnectAsync(server.EndPoint("smtp")))
        {
            Assert.That(await refused.ReadLineAsync(), Does.StartWith("421 4.3.2"));
            Assert.That(await refused.IsClosedByServerAsync(), Is.True);
        }
        clock.Advance(TimeSpan.FromMinutes(30));
        await using var again = await SurfaceSupport.ConnectAsync(server);
        Assert.That(await again.SayAsync("QUIT"), Does.StartWith("221"));
    }

    [Test]
    public async Task A_rate_keyed_on_the_sender_domain_answers_452_to_MAIL()
    {
        var (server, clock) = await StartAsync("""
            [[session.throttle]]
            key = ["sender-domain"]
            match = { if = "sender-domain", ne = "trusted.example" }
            rate = "1/1m"
            """);
        await using var _ = server;
        await using var client = await SurfaceSupport.ConnectAsync(server);
        await client.SayAsync("EHLO client.example.net");
        Assert.That(await client.SayAsync("MAIL FROM:<a@bulk.example>"), Does.StartWith("250 2.1.0"));
        Assert.That(await client.SayAsync("RSET"), Does.StartWith("250"));
        Assert.That(await client.SayAsync("MAIL FROM:<b@BULK.example>"), Is.EqualTo("452 4.4.5 Rate limit exceeded, try again later"));
        Assert.That(await client.SayAsync("MAIL FROM:<a@other.example>"), Does.StartWith("250 2.1.0"), "another domain has its own bucket");
        Assert.That(await client.SayAsync("RSET"), Does.StartWith("250"));
        for (var i = 0; i < 3; i++)
        {
            Assert.That(await client.SayAsync("MAIL FROM:<a@trusted.example>"), Does.StartWith("250 2.1.0"), "match excludes this domain");
            Assert.That(await client.SayAsync("RSET"), Does.StartWith("250"));
        }
        clock.Advance(TimeSpan.FromMinutes(1)); // within session.timeout (5m) of the fake clock
        Assert.That(await client.SayAsync("MAIL FROM:<b@bulk.example>"), Does.StartWith("250 2.1.0"));
    }

    [Test]
    public async Task Rates_keyed_on_the_EHLO_name_and_the_recipient_answer_452_to_that_command()
    {
        var (server, _) = await StartAsync("""
            [[session.throttle]]
            key = ["helo-domain"]
            rate = "1/1d"

            [[session.throttle]]
            key = ["rcpt-domain"]
            rate = "2/1d"
            """);
        await using var _ = server;
        await using var client = await SurfaceSupport.ConnectAsync(server);
        Assert.That(await client.SayAsync("EHLO client.example.net"), Does.StartWith("250-"));
        Assert.That(await client.SayAsync("EHLO client.example.net"), Does.StartWith("452 4.4.5"));
        Assert.That(await client.SayAsync("MAIL FROM:<a@example.net>"), Does.StartWith("250"), "the refused EHLO left the first one in place");
        Assert.That(await client.SayAsync("RCPT TO:<a@example.org>"), Does.StartWith("250 2.1.5"));
        Assert.That(await client.SayAsync("RCPT TO:<b@example.org>"), Does.StartWith("250 2.1.5"));
        Assert.That(await client.SayAsync("RCPT TO:<c@example.org>"), Does.StartWith("452 4.4.5"));
        Assert.That(await client.SayAsync("RCPT TO:<c@example.com>"), Does.StartWith("250 2.1.5"));
        Assert.That(await client.SendMessageAsync(), Does.StartWith("250 2.0.0"));
    }

    [Test]
    public async Task Concurrency_keyed_on_the_sender_counts_open_transactions()
    {
        var (server, _) = await StartAsync("""
            [[session.throttle]]
            key = ["sender"]
            concurrency = 1
            """);
        await using var _ = server;
        await using var a = await SurfaceSupport.ConnectAsync(server);
        await using var b = await SurfaceSupport.ConnectAsync(server);
        await a.SayAsync("EHLO a.example.net");
        await b.SayAsync("EHLO b.example.net");
        Assert.That(await a.SayAsync("MAIL FROM:<news@example.net>"), Does.StartWith("250 2.1.0"));
        Assert.That(await b.SayAsync("MAIL FROM:<news@example.net>"), Does.StartWith("452 4.4.5"));
        Assert.That(await b.SayAsync("MAIL FROM:<other@example.net>"), Does.StartWith("250 2.1.0"));
        Assert.That(await b.SayAsync("RSET"), Does.StartWith("250"));

        Assert.That(await a.SayAsync("RCPT TO:<x@example.org>"), Does.StartWith("250"));
        Assert.That(await a.SendMessageAsync(), Does.StartWith("250 2.0.0"), "the end of the message ends the transaction");
        Assert.That(await b.SayAsync("MAIL FROM:<news@example.net>"), Does.StartWith("250 2.1.0"));
        Assert.That(await a.SayAsync("MAIL FROM:<news@example.net>"), Does.StartWith("452 4.4.5"));
        Assert.That(await b.SayAsync("RSET"), Does.StartWith("250"), "RSET ends it too");
        Assert.That(await a.SayAsync("MAIL FROM:<news@example.net>"), Does.StartWith("250 2.1.0"));
        await a.DisposeAsync();

        // A session that leaves in the middle of a transaction gives its place back: poll with a deadline.
        var deadline = DateTime.UtcNow + s_deadline;
        var reply = "";
        for (var attempt = 0; attempt < 200 && DateTime.UtcNow < deadline; attempt++)
        {
            reply = await b.SayAsync("MAIL FROM:<news@example.net>");
            if (reply.StartsWith("250", StringComparison.Ordinal))
            {
                break;
            }
            await Task.Yield();
        }
        Assert.That(reply, Does.StartWith("250 2.1.0"));
    }

    [Test]
    public async Task Concurrency_keyed_on_the_recipient_domain_counts_transactions_once_each()
    {
        var (server, _) = await StartAsync("""
            [[session.throttle]]
            key = ["rcpt-domain"]
            match = { any-of = [ { if = "rcpt-domain", eq = "slow.example" },
                                 { if = "rcpt-domain", eq = "tiny.example" } ] }
            concurrency = 1
            """);
        await using var _ = server;
        await using var a = await SurfaceSupport.ConnectAsync(server);
        await using var b = await SurfaceSupport.ConnectAsync(server);
        await a.SayAsync("EHLO a.example.net");
        await b.SayAsync("EHLO b.example.net");
        await a.SayAsync("MAIL FROM:<x@example.net>");
        await b.SayAsync("MAIL FROM:<y@example.net>");
        Assert.That(await a.SayAsync("RCPT TO:<one@slow.example>"), Does.StartWith("250 2.1.5"));
        Assert.That(await a.SayAsync("RCPT TO:<two@slow.example>"), Does.StartWith("250 2.1.5"), "the same transaction holds the domain once");
        Assert.That(await b.SayAsync("RCPT TO:<three@slow.example>"), Does.StartWith("452 4.4.5"));
        Assert.That(await b.SayAsync("RCPT TO:<four@fast.example>"), Does.StartWith("250 2.1.5"), "match leaves other domains alone");
        Assert.That(await a.SendMessageAsync(), Does.StartWith("250 2.0.0"));
        Assert.That(await b.SayAsync("RCPT TO:<three@slow.example>"), Does.StartWith("250 2.1.5"));
    }
}
