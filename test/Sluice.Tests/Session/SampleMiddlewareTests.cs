using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using RcptMiddlewareSample;
using Sluice.Hosting;
using Sluice.Server;
using Sluice.Stages;
using Sluice.Tests.Support;

namespace Sluice.Tests.Session;

/// <summary>The RCPT middleware of <c>samples/RcptMiddlewareSample</c>, run through the real server.</summary>
public class SampleMiddlewareTests
{
    private static async Task<WebApplication> StartAsync(TempDir dir, Action<WebApplicationBuilder> configure)
    {
        var toml = RunningServer.MinimalToml("""
            [session.rcpt]
            errors.total = 3
            errors.wait = "0s"
            """).Replace("{queue}", Path.Combine(dir.Path, "queue"), StringComparison.Ordinal);
        var commandLine = ServerCommandLine.Parse(["--config", dir.File("sluice.toml", toml)]);
        var app = SluiceServerApp.Build(commandLine, configure);
        await app.StartAsync();
        return app;
    }

    private static System.Net.IPEndPoint Smtp(WebApplication app) =>
        app.Services.GetRequiredService<SluiceListenerRegistry>().Listeners.First(l => l.Listener.Id == "smtp").EndPoint!;

    [Test]
    public async Task Blocked_domain_gets_the_middleware_reply_and_counts_as_a_recipient_error()
    {
        using var dir = new TempDir();
        var app = await StartAsync(dir, b => new SluiceBuilder(b.Services).UseRcpt(BlockedDomains.Refuse("blocked.example")));
        try
        {
            await using var client = await RawSmtpClient.ConnectAsync(Smtp(app));
            Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
            Assert.That(await client.CommandAsync("EHLO client.example"), Does.StartWith("250 "));
            Assert.That(await client.CommandAsync("MAIL FROM:<a@client.example>"), Does.StartWith("250 2.1.0"));
            Assert.That(await client.CommandAsync("RCPT TO:<x@blocked.example>"), Is.EqualTo("550 5.7.1 Mail for this domain is not accepted here"));
            Assert.That(await client.CommandAsync("RCPT TO:<y@BLOCKED.example>"), Does.StartWith("550 5.7.1"));
            Assert.That(await client.CommandAsync("RCPT TO:<z@allowed.example>"), Does.StartWith("250 2.1.5"));
            // The built-in checks still run before it: a bad address is the parser's 501, and counts.
            Assert.That(await client.CommandAsync("RCPT TO:<x@blocked.example"), Does.StartWith("451 4.3.0"));
            Assert.That(await client.IsClosedByServerAsync(), Is.True);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Test]
    public async Task The_sample_middleware_comes_after_the_built_in_rcpt_checks()
    {
        using var dir = new TempDir();
        List<string>? names = null;
        var app = await StartAsync(dir, b => new SluiceBuilder(b.Services)
            .UseRcpt(BlockedDomains.Refuse("blocked.example"))
            .ConfigurePipelines(p => names = [.. p.Rcpt.Names]));
        try
        {
            await using var client = await RawSmtpClient.ConnectAsync(Smtp(app));
            Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
            Assert.That(names, Is.Not.Null, "pipelines are built when the server starts");
            Assert.That(names!.Take(3), Is.EqualTo(new[] { "sluice.rcpt.parameters", "sluice.rcpt.max-recipients", "sluice.sieve" }));
            Assert.That(names, Has.Count.EqualTo(4));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Test]
    public async Task A_middleware_that_throws_gets_421_and_the_session_closes()
    {
        using var dir = new TempDir();
        var app = await StartAsync(dir, b => new SluiceBuilder(b.Services).UseRcpt((context, next) =>
            context.Recipient.StartsWith("boom@", StringComparison.Ordinal) ? throw new InvalidOperationException("middleware bug") : next(context)));
        try
        {
            await using var client = await RawSmtpClient.ConnectAsync(Smtp(app));
            Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
            Assert.That(await client.CommandAsync("EHLO client.example"), Does.StartWith("250 "));
            Assert.That(await client.CommandAsync("MAIL FROM:<a@client.example>"), Does.StartWith("250 2.1.0"));
            await client.SendAsync("RCPT TO:<boom@mx.test.example>\r\n");
            var reply = await client.ReadLineAsync();
            Assert.That(reply, Does.StartWith("421 4.3.0"), "a local error is answered, not a dropped connection");
            Assert.That(await client.IsClosedByServerAsync(), Is.True);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Test]
    public async Task A_middleware_that_stops_without_a_reply_never_yields_a_250()
    {
        using var dir = new TempDir();
        var app = await StartAsync(dir, b => new SluiceBuilder(b.Services)
            .UseMail((context, next) => context.Sender.StartsWith("quiet@", StringComparison.Ordinal) ? ValueTask.CompletedTask : next(context))
            .UseData((context, next) => context.Size == 7 ? ValueTask.CompletedTask : next(context)));
        try
        {
            await using var client = await RawSmtpClient.ConnectAsync(Smtp(app));
            Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
            Assert.That(await client.CommandAsync("EHLO client.example"), Does.StartWith("250 "));
            Assert.That(await client.CommandAsync("MAIL FROM:<quiet@client.example>"), Does.StartWith("451 4.3.0"), "MAIL was not accepted");
            Assert.That(await client.CommandAsync("MAIL FROM:<a@client.example>"), Does.StartWith("250 2.1.0"));
            Assert.That(await client.CommandAsync("RCPT TO:<b@mx.test.example>"), Does.StartWith("250 2.1.5"));
            Assert.That(await client.CommandAsync("DATA"), Does.StartWith("354"));
            Assert.That(await client.CommandAsync("12345\r\n."), Does.StartWith("451 4.3.0"), "the message was not stored: no 250");
            var queue = Path.Combine(dir.Path, "queue");
            Assert.That(Directory.Exists(queue) ? Directory.GetFiles(queue) : [], Is.Empty);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
