using System.Net;
using System.Net.Sockets;
using Sluice.Tests.Support;

namespace Sluice.Tests.Hosting;

/// <summary>Listeners bound from configuration, the skeleton session, and the connection limits.</summary>
public class ListenerTests
{
    [Test]
    public async Task Every_configured_listener_is_bound_and_serves_its_protocol()
    {
        await using var server = await RunningServer.StartAsync("""
            [server]
            hostname = "mx.test.example"
            [server.listener.mx]
            bind = ["127.0.0.1:0", "[::1]:0"]
            [server.listener.submission]
            bind = "127.0.0.1:0"
            [server.listener.web]
            bind = "127.0.0.1:0"
            protocol = "http"
            [queue]
            path = "{queue}"
            min-free-space = 1
            """);

        var lines = server.Listeners.Select(l => l.ListeningLine).ToList();
        Assert.That(lines, Has.Count.EqualTo(4));
        Assert.That(lines, Has.Some.Match(@"^listening: mx smtp 127\.0\.0\.1:[1-9][0-9]*$"));
        Assert.That(lines, Has.Some.Match(@"^listening: mx smtp \[::1\]:[1-9][0-9]*$"));
        Assert.That(lines, Has.Some.Match(@"^listening: submission smtp 127\.0\.0\.1:[1-9][0-9]*$"));
        Assert.That(lines, Has.Some.Match(@"^listening: web http 127\.0\.0\.1:[1-9][0-9]*$"));

        foreach (var listener in server.Listeners.Where(l => l.Listener.Protocol == Sluice.Configuration.Settings.ListenerProtocol.Smtp))
        {
            await using var client = await LineClient.ConnectAsync(listener.EndPoint!);
            Assert.That(await client.ReadLineAsync(), Is.EqualTo("220 mx.test.example Sluice ESMTP at your service"));
        }

        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri($"http://{server.EndPoint("web")}/healthz"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task The_session_greets_answers_noop_and_quits()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml());
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("220 mx.test.example Sluice ESMTP at your service"));
        await client.SendAsync("NOOP\r\nnoop\r\nFROB\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.0.0"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.0.0"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("500 5.5.1"));
        await client.SendAsync("QUIT\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("221 2.0.0"));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task Beyond_server_max_connections_a_client_gets_421_and_is_closed()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml().Replace(
            "hostname = \"mx.test.example\"", "hostname = \"mx.test.example\"\nmax-connections = 2", StringComparison.Ordinal));
        await using var first = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        await using var second = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await first.ReadLineAsync(), Does.StartWith("220 "));
        Assert.That(await second.ReadLineAsync(), Does.StartWith("220 "));

        await using (var third = await LineClient.ConnectAsync(server.EndPoint("smtp")))
        {
            Assert.That(await third.ReadLineAsync(), Does.StartWith("421 4.3.2 "));
            Assert.That(await third.IsClosedByServerAsync(), Is.True);
        }

        // A slot freed is a slot available again.
        await first.SendAsync("QUIT\r\n");
        Assert.That(await first.ReadLineAsync(), Does.StartWith("221 "));
        Assert.That(await first.IsClosedByServerAsync(), Is.True);
        await using var fourth = await WaitForGreetingAsync(server.EndPoint("smtp"));
        Assert.That(fourth, Is.Not.Null, "a connection should be accepted once one is released");
    }

    [Test]
    public async Task A_listener_max_connections_limits_that_listener_only()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml("""
            [server.listener.small]
            bind = "127.0.0.1:0"
            max-connections = 1
            """));
        await using var first = await LineClient.ConnectAsync(server.EndPoint("small"));
        Assert.That(await first.ReadLineAsync(), Does.StartWith("220 "));
        await using var second = await LineClient.ConnectAsync(server.EndPoint("small"));
        Assert.That(await second.ReadLineAsync(), Does.StartWith("421 4.3.2 "));
        await using var other = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await other.ReadLineAsync(), Does.StartWith("220 "));
    }

    [Test]
    public async Task An_over_long_command_line_gets_554_and_the_session_goes_on()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml());
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
        await client.SendAsync("NOOP " + new string('x', 10_000) + "\r\nNOOP\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("554 5.3.4"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.0.0"));
    }

    /// <summary>The server releases a slot after the client sees the close; retry until a greeting comes (bounded).</summary>
    private static async Task<LineClient?> WaitForGreetingAsync(IPEndPoint endPoint)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        for (var attempt = 0; attempt < 200 && DateTime.UtcNow < deadline; attempt++)
        {
            var client = await LineClient.ConnectAsync(endPoint);
            var line = await client.ReadLineAsync();
            if (line?.StartsWith("220 ", StringComparison.Ordinal) == true)
            {
                return client;
            }
            await client.DisposeAsync();
            await Task.Yield();
        }
        return null;
    }
}
