using Sluice.Tests.Support;

namespace Sluice.Tests.Surface;

/// <summary>RCPT against the directory, relay, postmaster and rewriting, over a real socket (SPEC §2.5, §2.7).</summary>
public class RcptDirectoryTests
{
    private static string Config(string extra = "") => RunningServer.MinimalToml($$"""
        {{SurfaceSupport.Directory}}

        [session.auth]
        mechanisms = ["plain"]
        directory = "local"
        allow-plain-text = true

        [session.rcpt]
        directory = "local"
        relay = [ { if = "authenticated-as", ne = "", then = true },
                  { else = false } ]
        rewrite = [ { if = "rcpt", matches = '^([^@]+)@old\.example\.org$', then = "${1}@example.org" },
                    { else = false } ]
        errors.wait = "0s"
        {{extra}}

        [session.mail]
        rewrite = [ { if = "sender-domain", eq = "legacy.example", then = "bounces@example.org" },
                    { else = false } ]
        """);

    [Test]
    public async Task Local_domains_accept_only_known_addresses_and_foreign_domains_need_relay()
    {
        await using var server = await RunningServer.StartAsync(Config());
        await using var client = await SurfaceSupport.ConnectAsync(server);
        Assert.That(await client.SayAsync("EHLO client.example.net"), Does.StartWith("250-"));
        Assert.That(await client.SayAsync("MAIL FROM:<someone@example.net>"), Does.StartWith("250 2.1.0"));
        Assert.That(await client.SayAsync("RCPT TO:<jane@example.org>"), Does.StartWith("250 2.1.5"));
        Assert.That(await client.SayAsync("RCPT TO:<Jane.Doe@EXAMPLE.org>"), Does.StartWith("250 2.1.5"), "addresses compare ignoring case");
        Assert.That(await client.SayAsync("RCPT TO:<info@example.org>"), Does.StartWith("250 2.1.5"), "an email-list address");
        Assert.That(await client.SayAsync("RCPT TO:<nobody@example.org>"), Is.EqualTo("550 5.1.2 Mailbox does not exist"));
        Assert.That(await client.SayAsync("RCPT TO:<someone@elsewhere.example>"), Is.EqualTo("550 5.1.2 Relay not allowed"));
        Assert.That(await client.SayAsync("RCPT TO:<PostMaster>"), Does.StartWith("250 2.1.5"), "postmaster without a domain, any case");
        Assert.That(await client.SayAsync("RCPT TO:<postmaster@example.org>"), Does.StartWith("250 2.1.5"), "no user claims postmaster@example.org");
        Assert.That(await client.SendMessageAsync(), Does.StartWith("250 2.0.0"));

        var envelope = SurfaceSupport.Envelopes(server).Single();
        Assert.That(SurfaceSupport.Recipients(envelope), Is.EqualTo(new[]
        {
            "jane@example.org", "Jane.Doe@EXAMPLE.org", "info@example.org", "PostMaster", "postmaster@example.org",
        }));
    }

    [Test]
    public async Task An_authenticated_session_may_relay()
    {
        await using var server = await RunningServer.StartAsync(Config());
        await using var client = await SurfaceSupport.ConnectAsync(server);
        await client.SayAsync("EHLO client.example.net");
        Assert.That(await client.SayAsync("MAIL FROM:<jane@example.org>"), Does.StartWith("250"));
        Assert.That(await client.SayAsync("RCPT TO:<friend@elsewhere.example>"), Does.StartWith("550 5.1.2"));
        Assert.That(await client.SayAsync("RSET"), Does.StartWith("250"));
        var plain = Convert.ToBase64String("\0jane\0jane-password"u8.ToArray());
        Assert.That(await client.SayAsync("AUTH PLAIN " + plain), Does.StartWith("235 2.7.0"));
        Assert.That(await client.SayAsync("MAIL FROM:<jane@example.org>"), Does.StartWith("250"));
        Assert.That(await client.SayAsync("RCPT TO:<friend@elsewhere.example>"), Does.StartWith("250 2.1.5"));
        Assert.That(await client.SayAsync("RCPT TO:<nobody@example.org>"), Does.StartWith("550 5.1.2"), "relay does not make unknown local mailboxes exist");
    }

    [Test]
    public async Task A_user_that_claims_postmaster_receives_it_as_any_address()
    {
        var toml = Config().Replace("""email = ["bob@example.org"]""", """email = ["bob@example.org", "postmaster@example.org"]""", StringComparison.Ordinal);
        await using var server = await RunningServer.StartAsync(toml);
        await using var client = await SurfaceSupport.ConnectAsync(server);
        await client.SayAsync("EHLO client.example.net");
        await client.SayAsync("MAIL FROM:<a@example.net>");
        Assert.That(await client.SayAsync("RCPT TO:<postmaster@example.org>"), Does.StartWith("250 2.1.5"));
    }

    [Test]
    public async Task Refused_recipients_are_counted_and_the_one_that_reaches_the_total_closes()
    {
        await using var server = await RunningServer.StartAsync(Config("errors.total = 3"));
        await using var client = await SurfaceSupport.ConnectAsync(server);
        await client.SayAsync("EHLO client.example.net");
        await client.SayAsync("MAIL FROM:<a@example.net>");
        Assert.That(await client.SayAsync("RCPT TO:<nobody@example.org>"), Does.StartWith("550 5.1.2"));
        Assert.That(await client.SayAsync("RCPT TO:<x@elsewhere.example>"), Does.StartWith("550 5.1.2"));
        Assert.That(await client.SayAsync("RCPT TO:<jane@example.org>"), Does.StartWith("250"), "accepted ones are not counted");
        Assert.That(await client.SayAsync("RCPT TO:<y@elsewhere.example>"), Does.StartWith("451 4.3.0"));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task Rewritten_addresses_are_what_the_queue_stores()
    {
        await using var server = await RunningServer.StartAsync(Config());
        await using var client = await SurfaceSupport.ConnectAsync(server);
        await client.SayAsync("EHLO client.example.net");
        Assert.That(await client.SayAsync("MAIL FROM:<app@legacy.example>"), Does.StartWith("250 2.1.0"));
        Assert.That(await client.SayAsync("RCPT TO:<jane@old.example.org>"), Does.StartWith("250 2.1.5"), "rewritten to a known mailbox, then validated");
        Assert.That(await client.SayAsync("RCPT TO:<nobody@old.example.org>"), Does.StartWith("550 5.1.2"), "rewritten to an unknown mailbox");
        Assert.That(await client.SendMessageAsync(), Does.StartWith("250 2.0.0"));

        var envelope = SurfaceSupport.Envelopes(server).Single();
        Assert.That(envelope.GetProperty("from").GetString(), Is.EqualTo("bounces@example.org"));
        Assert.That(SurfaceSupport.Recipients(envelope), Is.EqualTo(new[] { "jane@example.org" }));
    }

    [Test]
    public async Task Without_a_directory_and_without_relay_every_recipient_is_accepted()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml("[session.rcpt]\nrelay = false"));
        await using var client = await SurfaceSupport.ConnectAsync(server);
        await client.SayAsync("EHLO client.example.net");
        await client.SayAsync("MAIL FROM:<a@example.net>");
        Assert.That(await client.SayAsync("RCPT TO:<anyone@anywhere.example>"), Does.StartWith("250 2.1.5"));
        Assert.That(await client.SayAsync("RCPT TO:<postmaster>"), Does.StartWith("250 2.1.5"));
    }

    [TestCase("directory = \"missing\"")]
    [TestCase("directory = [ { if = \"listener\", eq = \"smtp\", then = \"missing\" }, { else = \"\" } ]")]
    public void A_directory_id_that_does_not_exist_fails_the_check(string line)
    {
        var ex = Assert.ThrowsAsync<Sluice.Configuration.SluiceConfigurationException>(
            async () => await RunningServer.StartAsync(RunningServer.MinimalToml("[session.rcpt]\n" + line)));
        Assert.That(ex!.Message, Does.Contain("session.rcpt.directory").And.Contain("no [directory.missing] is defined"));
    }

    [Test]
    public async Task The_directory_may_depend_on_the_listener()
    {
        var toml = Config().Replace("directory = \"local\"\nrelay", "directory = [ { if = \"listener\", eq = \"smtp\", then = \"local\" },\n             { else = \"\" } ]\nrelay", StringComparison.Ordinal);
        Assert.That(toml, Does.Contain("then = \"local\""));
        await using var server = await RunningServer.StartAsync(toml);
        await using var client = await SurfaceSupport.ConnectAsync(server);
        await client.SayAsync("EHLO client.example.net");
        await client.SayAsync("MAIL FROM:<a@example.net>");
        Assert.That(await client.SayAsync("RCPT TO:<nobody@example.org>"), Does.StartWith("550 5.1.2"));
    }
}
