using Sluice.Tests.Support;

namespace Sluice.Tests.Surface;

/// <summary>VRFY and EXPN answered from the directory when the rules enable them (SPEC §2.5, §2.7, §3).</summary>
public class VrfyExpnTests
{
    [Test]
    public async Task Enabled_they_answer_from_email_and_email_list()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml($$"""
            {{SurfaceSupport.Directory}}

            [session.rcpt]
            directory = "local"

            [session.extensions]
            vrfy = true
            expn = [ { if = "remote-ip", eq = "127.0.0.0/8", then = true },
                     { else = false } ]
            """));
        await using var client = await SurfaceSupport.ConnectAsync(server);
        await client.SayAsync("EHLO client.example.net");
        Assert.That(await client.SayAsync("VRFY jane@example.org"), Is.EqualTo("250 2.1.5 <jane@example.org>"));
        Assert.That(await client.SayAsync("VRFY <jane.doe@example.org>"), Is.EqualTo("250 2.1.5 <jane.doe@example.org>"));
        Assert.That(await client.SayAsync("VRFY bob"), Is.EqualTo("250 2.1.5 <bob@example.org>"), "a login name gives the primary address");
        Assert.That(await client.SayAsync("VRFY nobody@example.org"), Does.StartWith("550 5.1.2"));
        Assert.That(await client.SayAsync("VRFY info@example.org"), Does.StartWith("550 5.1.2"), "a list is not a mailbox: EXPN it");
        Assert.That(await client.SayAsync("EXPN info@example.org"), Is.EqualTo("250-2.1.5 <jane@example.org>\n250 2.1.5 <bob@example.org>"));
        Assert.That(await client.SayAsync("EXPN jane@example.org"), Does.StartWith("550 5.1.2"));
    }

    [Test]
    public async Task Disabled_they_answer_252_even_with_a_directory()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml($$"""
            {{SurfaceSupport.Directory}}

            [session.rcpt]
            directory = "local"

            [session.extensions]
            expn = [ { if = "remote-ip", eq = "10.0.0.0/8", then = true },
                     { else = false } ]
            """));
        await using var client = await SurfaceSupport.ConnectAsync(server);
        await client.SayAsync("EHLO client.example.net");
        Assert.That(await client.SayAsync("VRFY jane@example.org"), Does.StartWith("252 2.5.1"));
        Assert.That(await client.SayAsync("EXPN info@example.org"), Does.StartWith("252 2.5.1"), "the rule does not enable EXPN for 127.0.0.1");
    }
}
