using Sluice.Tests.Support;

namespace Sluice.Tests.Surface;

/// <summary>LMTP (RFC 2033) on a <c>protocol = "lmtp"</c> listener, over a real socket.</summary>
public class LmtpTests
{
    private static string Config() => RunningServer.MinimalToml($$"""
        [server.listener.lmtp]
        bind = "127.0.0.1:0"
        protocol = "lmtp"

        {{SurfaceSupport.Directory}}

        [session.rcpt]
        directory = "local"
        errors.wait = "0s"
        """);

    [Test]
    public async Task LHLO_then_one_reply_per_accepted_recipient_after_the_final_dot()
    {
        await using var server = await RunningServer.StartAsync(Config());
        await using var client = await SurfaceSupport.ConnectAsync(server, "lmtp");
        Assert.That(await client.SayAsync("EHLO client.example.net"), Does.StartWith("500 5.5.1"));
        Assert.That(await client.SayAsync("HELO client.example.net"), Does.StartWith("500 5.5.1"));
        var lhlo = await client.SayAsync("LHLO client.example.net");
        Assert.That(lhlo, Does.StartWith("250-mx.test.example").And.Contain("250-PIPELINING").And.EndWith("250 ENHANCEDSTATUSCODES"));
        Assert.That(await client.SayAsync("MAIL FROM:<a@example.net>"), Does.StartWith("250 2.1.0"));
        Assert.That(await client.SayAsync("RCPT TO:<jane@example.org>"), Does.StartWith("250 2.1.5"));
        Assert.That(await client.SayAsync("RCPT TO:<nobody@example.org>"), Does.StartWith("550 5.1.2"));
        Assert.That(await client.SayAsync("RCPT TO:<bob@example.org>"), Does.StartWith("250 2.1.5"));
        Assert.That(await client.SayAsync("DATA"), Does.StartWith("354"));
        await client.SendAsync("Subject: lmtp\r\n\r\nHello\r\n.\r\n");
        var first = await client.ReadLineAsync();
        var second = await client.ReadLineAsync();
        Assert.That(first, Does.StartWith("250 2.0.0"));
        Assert.That(second, Is.EqualTo(first), "one reply per accepted recipient (two), for the one stored message");
        Assert.That(await client.SayAsync("NOOP"), Does.StartWith("250 2.0.0 OK"), "and no third reply");

        var eml = Directory.GetFiles(Path.Combine(server.Directory, "queue"), "*.eml", SearchOption.AllDirectories).Single();
        Assert.That(await File.ReadAllTextAsync(eml), Does.Contain(" with LMTP id "));
        Assert.That(SurfaceSupport.Recipients(SurfaceSupport.Envelopes(server).Single()), Is.EqualTo(new[] { "jane@example.org", "bob@example.org" }));
    }

    [Test]
    public async Task BDAT_LAST_gets_one_reply_per_recipient_too()
    {
        await using var server = await RunningServer.StartAsync(Config());
        await using var client = await SurfaceSupport.ConnectAsync(server, "lmtp");
        await client.SayAsync("LHLO client.example.net");
        await client.SayAsync("MAIL FROM:<a@example.net>");
        await client.SayAsync("RCPT TO:<jane@example.org>");
        await client.SayAsync("RCPT TO:<info@example.org>");
        await client.SayAsync("RCPT TO:<bob@example.org>");
        await client.SendAsync("BDAT 9\r\nSubject: ");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.6.0"), "a middle chunk gets one reply");
        await client.SendAsync("BDAT 9 LAST\r\nx\r\n\r\nHi\r\n");
        for (var i = 0; i < 3; i++)
        {
            Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.0.0"), $"reply {i + 1} of 3");
        }
        Assert.That(await client.SayAsync("NOOP"), Does.StartWith("250 2.0.0 OK"));
    }

    [Test]
    public async Task Without_LHLO_when_not_required_the_message_is_still_stamped_LMTP()
    {
        await using var server = await RunningServer.StartAsync(Config() + "\n[session.ehlo]\nrequire = false\n");
        await using var client = await SurfaceSupport.ConnectAsync(server, "lmtp");
        Assert.That(await client.SayAsync("MAIL FROM:<a@example.net>"), Does.StartWith("250 2.1.0"));
        Assert.That(await client.SayAsync("RCPT TO:<jane@example.org>"), Does.StartWith("250 2.1.5"));
        Assert.That(await client.SendMessageAsync(), Does.StartWith("250 2.0.0"));
        var eml = Directory.GetFiles(Path.Combine(server.Directory, "queue"), "*.eml", SearchOption.AllDirectories).Single();
        Assert.That(await File.ReadAllTextAsync(eml), Does.Contain(" with LMTP id "));
    }

    [Test]
    public async Task LHLO_is_refused_on_an_SMTP_listener()
    {
        await using var server = await RunningServer.StartAsync(Config());
        await using var client = await SurfaceSupport.ConnectAsync(server, "smtp");
        Assert.That(await client.SayAsync("LHLO client.example.net"), Does.StartWith("500 5.5.1"));
        Assert.That(await client.SayAsync("EHLO client.example.net"), Does.StartWith("250-"));
    }
}

/// <summary>The parser knows LHLO (the session decides where it is allowed).</summary>
public class LhloParserTests
{
    [TestCase("LHLO client.example.net", "client.example.net")]
    [TestCase("lhlo [127.0.0.1]", "[127.0.0.1]")]
    [TestCase("LhLo mail.example", "mail.example")]
    public void LHLO_parses_like_EHLO(string line, string domain)
    {
        var command = Sluice.Protocol.SmtpCommandReader.Parse(System.Text.Encoding.ASCII.GetBytes(line));
        Assert.That(command.Verb, Is.EqualTo(Sluice.Protocol.SmtpVerb.Lhlo));
        Assert.That(command.IsValid, Is.True);
        Assert.That(command.Domain, Is.EqualTo(domain));
    }

    [Test]
    public void LHLO_without_a_name_is_a_syntax_error()
    {
        var command = Sluice.Protocol.SmtpCommandReader.Parse("LHLO"u8.ToArray());
        Assert.That(command.Error, Is.EqualTo(Sluice.Protocol.SmtpCommandError.Syntax));
    }
}
