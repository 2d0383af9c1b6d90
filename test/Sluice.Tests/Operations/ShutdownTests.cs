using System.Net;
using System.Text;
using Sluice.Queue;
using Sluice.Tests.Durability;
using Sluice.Tests.Support;

namespace Sluice.Tests.Operations;

/// <summary>SIGTERM (SPEC §5): readiness 503 first, 421 4.3.0 to idle sessions, a DATA in flight stored, exit 0.</summary>
public class ShutdownTests
{
    [Test]
    public async Task Sigterm_drains_idle_sessions_at_once_finishes_a_transfer_in_flight_and_exits_0()
    {
        using var dir = new TempDir();
        var queue = Path.Combine(dir.Path, "queue");
        var config = dir.File("sluice.toml", $"""
            [server]
            hostname = "mx.test.example"
            shutdown-timeout = "30s"
            [server.listener.smtp]
            bind = "127.0.0.1:0"
            [server.listener.http]
            bind = "127.0.0.1:0"
            protocol = "http"
            [queue]
            type = "files"
            path = "{queue}"
            min-free-space = 1
            """);
        using var server = await ServerProcess.StartAsync(config, dir.Path, "smtp", "http");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var readyz = new Uri($"http://{server.EndPoint("http")}/readyz");
        Assert.That((await http.GetAsync(readyz)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await using var idle = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await idle.ReadLineAsync(), Does.StartWith("220 "));
        await idle.SendAsync("EHLO idle.example\r\n");
        Assert.That((await idle.ReadReplyAsync())[^1], Does.StartWith("250 "));

        await using var busy = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        await StoreDurabilityTests.SendEnvelopeAsync(busy);
        var body = string.Concat(Enumerable.Range(0, 200).Select(i => $"line {i} sent before and after SIGTERM\r\n"));
        await busy.SendAsync("Subject: in flight\r\n\r\n" + body);

        server.Terminate();

        // The idle session is told at once, and closed.
        Assert.That(await idle.ReadLineAsync(), Does.StartWith("421 4.3.0"));
        Assert.That(await idle.IsClosedByServerAsync(), Is.True);

        // The transfer in flight holds the host's stop before Kestrel closes any listener: the HTTP
        // listener still answers, and readiness already says 503.
        var response = await http.GetAsync(readyz);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), await response.Content.ReadAsStringAsync());
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("draining"));

        // A new SMTP connection is not served.
        await using (var late = await TryConnectAsync(server.EndPoint("smtp")))
        {
            if (late is not null)
            {
                var line = await late.ReadLineAsync();
                Assert.That(line is null || line.StartsWith("421 4.3.0", StringComparison.Ordinal), line);
            }
        }

        // The transfer finishes: 250 with the id, then 421, then the close.
        await busy.SendAsync(body + ".\r\n");
        var accepted = await busy.ReadLineAsync();
        Assert.That(accepted, Does.StartWith("250 2.0.0"));
        Assert.That(await busy.ReadLineAsync(), Does.StartWith("421 4.3.0"));
        Assert.That(await busy.IsClosedByServerAsync(), Is.True);

        Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.Zero, server.Stderr);
        var id = accepted!.Split(' ')[^1];
        var eml = Encoding.ASCII.GetString(await File.ReadAllBytesAsync(Path.Combine(queue, id + ".eml")));
        Assert.That(eml, Does.EndWith("Subject: in flight\r\n\r\n" + body + body));
        var json = EnvelopeJson.Read(await File.ReadAllBytesAsync(Path.Combine(queue, id + ".json")));
        Assert.That(json.To.Select(t => t.Address), Is.EqualTo(new[] { "c@d.example" }));
    }

    [Test]
    public async Task Sigterm_with_no_session_exits_0_at_once()
    {
        using var dir = new TempDir();
        var config = dir.File("sluice.toml", $"""
            [server]
            hostname = "mx.test.example"
            [server.listener.smtp]
            bind = "127.0.0.1:0"
            [server.listener.http]
            bind = "127.0.0.1:0"
            protocol = "http"
            [queue]
            type = "files"
            path = "{Path.Combine(dir.Path, "queue")}"
            min-free-space = 1
            """);
        using var server = await ServerProcess.StartAsync(config, dir.Path, "smtp", "http");
        server.Terminate();
        // Far below the 30s default shutdown-timeout: nothing to wait for.
        Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(10)), Is.Zero, server.Stderr);
    }

    [Test]
    public async Task A_transfer_that_outlasts_the_shutdown_timeout_is_aborted_unacknowledged_and_the_process_exits_0()
    {
        using var dir = new TempDir();
        var queue = Path.Combine(dir.Path, "queue");
        var config = dir.File("sluice.toml", $"""
            [server]
            hostname = "mx.test.example"
            shutdown-timeout = "2s"
            [server.listener.smtp]
            bind = "127.0.0.1:0"
            [server.listener.http]
            bind = "127.0.0.1:0"
            protocol = "http"
            [queue]
            type = "files"
            path = "{queue}"
            min-free-space = 1
            """);
        using var server = await ServerProcess.StartAsync(config, dir.Path, "smtp", "http");
        await using var stalled = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        await StoreDurabilityTests.SendEnvelopeAsync(stalled);
        await stalled.SendAsync("Subject: never finished\r\n\r\nhalf a body\r\n");

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        server.Terminate();
        Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(20)), Is.Zero, server.Stderr);
        Assert.That(stopwatch.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(1.5)), "the transfer was given the shutdown timeout");
        Assert.That(await stalled.IsClosedByServerAsync(), Is.True);
        Assert.That(Directory.Exists(queue) ? Directory.GetFiles(queue, "*.json") : [], Is.Empty, "nothing acknowledged, nothing stored");
    }

    private static async Task<LineClient?> TryConnectAsync(IPEndPoint endPoint)
    {
        try
        {
            return await LineClient.ConnectAsync(endPoint);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return null;
        }
    }
}

/// <summary>The same drain, in-process (the host's StopAsync), for a BDAT transfer between its chunks.</summary>
public class InProcessShutdownTests
{
    [Test]
    public async Task A_bdat_message_between_chunks_is_finished_and_stored_before_the_421()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml());
        await using var idle = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await idle.ReadLineAsync(), Does.StartWith("220 "));

        await using var chunked = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await chunked.ReadLineAsync(), Does.StartWith("220 "));
        await chunked.SendAsync("EHLO client.example\r\n");
        Assert.That((await chunked.ReadReplyAsync())[^1], Does.StartWith("250 "));
        await chunked.SendAsync("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n");
        Assert.That(await chunked.ReadLineAsync(), Does.StartWith("250 2.1.0"));
        Assert.That(await chunked.ReadLineAsync(), Does.StartWith("250 2.1.5"));
        const string first = "Subject: chunks\r\n\r\n";
        await chunked.SendAsync($"BDAT {first.Length}\r\n{first}");
        Assert.That(await chunked.ReadLineAsync(), Does.StartWith("250 "));

        var stopping = server.App.StopAsync();
        Assert.That(await idle.ReadLineAsync(), Does.StartWith("421 4.3.0"), "the drain has reached every session");

        const string last = "the last chunk\r\n";
        await chunked.SendAsync($"BDAT {last.Length} LAST\r\n{last}");
        var accepted = await chunked.ReadLineAsync();
        Assert.That(accepted, Does.StartWith("250 2.0.0"));
        Assert.That(await chunked.ReadLineAsync(), Does.StartWith("421 4.3.0"));
        Assert.That(await chunked.IsClosedByServerAsync(), Is.True);
        await stopping.WaitAsync(TimeSpan.FromSeconds(20));

        var id = accepted!.Split(' ')[^1];
        var eml = await File.ReadAllTextAsync(Path.Combine(server.Directory, "queue", id + ".eml"));
        Assert.That(eml, Does.EndWith(first + last));
    }
}
