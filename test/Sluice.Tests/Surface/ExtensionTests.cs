using Sluice.Tests.Support;

namespace Sluice.Tests.Surface;

/// <summary>
/// <c>session.extensions.*</c> made rule-driven (SPEC §2.5): EHLO shows what the rules enable, the
/// parameters of an extension that is off are 555 5.5.4, bad values 501 5.5.4, and accepted ones
/// reach the <c>.json</c>.
/// </summary>
public class ExtensionTests
{
    private const string Enabled = """
        [session.extensions]
        dsn = [ { if = "listener", eq = "smtp", then = true },
                { else = false } ]
        future-release = "1d"
        deliver-by = [ { if = "remote-ip", eq = "127.0.0.0/8", then = "1h" },
                       { else = false } ]
        mt-priority = "stanag4406"
        no-soliciting = "commercial"
        """;

    [Test]
    public async Task Off_by_default_their_parameters_are_refused_with_555()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml());
        await using var client = await SurfaceSupport.ConnectAsync(server);
        var ehlo = await client.SayAsync("EHLO client.example.net");
        Assert.That(ehlo, Does.Not.Contain("DSN").And.Not.Contain("DELIVERBY").And.Not.Contain("FUTURERELEASE")
            .And.Not.Contain("MT-PRIORITY").And.Not.Contain("NO-SOLICITING"));
        foreach (var parameter in new[] { "RET=FULL", "ENVID=abc", "HOLDFOR=10", "HOLDUNTIL=2030-01-01T00:00:00Z", "BY=100;R", "MT-PRIORITY=3" })
        {
            Assert.That(await client.SayAsync("MAIL FROM:<a@example.net> " + parameter), Does.StartWith("555 5.5.4"), parameter);
        }
        Assert.That(await client.SayAsync("MAIL FROM:<a@example.net>"), Does.StartWith("250"));
        Assert.That(await client.SayAsync("RCPT TO:<b@example.net> NOTIFY=SUCCESS"), Does.StartWith("555 5.5.4"));
        Assert.That(await client.SayAsync("RCPT TO:<b@example.net> ORCPT=rfc822;b@example.net"), Does.StartWith("555 5.5.4"));
    }

    [Test]
    public async Task Enabled_EHLO_advertises_them_and_bad_values_are_501()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml(Enabled));
        await using var client = await SurfaceSupport.ConnectAsync(server);
        var ehlo = (await client.SayAsync("EHLO client.example.net")).Split('\n');
        Assert.That(ehlo, Has.Some.EqualTo("250-DSN"));
        Assert.That(ehlo, Has.Some.EqualTo("250-DELIVERBY"));
        Assert.That(ehlo, Has.Some.EqualTo("250-MT-PRIORITY STANAG4406"));
        Assert.That(ehlo, Has.Some.EqualTo("250-NO-SOLICITING commercial"));
        Assert.That(ehlo, Has.Some.Match(@"^250-FUTURERELEASE 86400 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"));

        Assert.That(await client.SayAsync("MAIL FROM:<a@example.net> HOLDFOR=86401"), Does.StartWith("501 5.5.4"));
        Assert.That(await client.SayAsync("MAIL FROM:<a@example.net> HOLDUNTIL=2999-01-01T00:00:00Z"), Does.StartWith("501 5.5.4"));
        Assert.That(await client.SayAsync("MAIL FROM:<a@example.net> BY=3601;R"), Does.StartWith("501 5.5.4"));
        Assert.That(await client.SayAsync("MAIL FROM:<a@example.net> BY=0;N"), Does.StartWith("501 5.5.4"));
        Assert.That(await client.SayAsync("MAIL FROM:<a@example.net> MT-PRIORITY=12"), Does.StartWith("501 5.5.4"));
    }

    [Test]
    public async Task Accepted_parameters_are_stored_in_the_envelope()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml(Enabled));
        await using var client = await SurfaceSupport.ConnectAsync(server);
        await client.SayAsync("EHLO client.example.net");
        var before = DateTimeOffset.UtcNow;
        Assert.That(await client.SayAsync("MAIL FROM:<a@example.net> RET=HDRS ENVID=QQ314159 HOLDFOR=600 MT-PRIORITY=-3"), Does.StartWith("250 2.1.0"));
        Assert.That(await client.SayAsync("RCPT TO:<b@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.net"), Does.StartWith("250 2.1.5"));
        Assert.That(await client.SayAsync("RCPT TO:<c@example.net> NOTIFY=NEVER"), Does.StartWith("250 2.1.5"));
        Assert.That(await client.SayAsync("RCPT TO:<d@example.net>"), Does.StartWith("250 2.1.5"));
        Assert.That(await client.SendMessageAsync(), Does.StartWith("250 2.0.0"));
        var after = DateTimeOffset.UtcNow;

        Assert.That(await client.SayAsync("MAIL FROM:<a@example.net> BY=120;RT"), Does.StartWith("250 2.1.0"));
        Assert.That(await client.SayAsync("RCPT TO:<b@example.net>"), Does.StartWith("250 2.1.5"));
        Assert.That(await client.SendMessageAsync(), Does.StartWith("250 2.0.0"));

        var envelopes = SurfaceSupport.Envelopes(server);
        Assert.That(envelopes, Has.Count.EqualTo(2));
        var first = envelopes.Single(e => e.TryGetProperty("env-id", out var id) && id.ValueKind == System.Text.Json.JsonValueKind.String);
        Assert.That(first.GetProperty("env-id").GetString(), Is.EqualTo("QQ314159"));
        Assert.That(first.GetProperty("ret").GetString(), Is.EqualTo("HDRS"));
        Assert.That(first.GetProperty("priority").GetInt32(), Is.EqualTo(-3));
        var holdUntil = first.GetProperty("hold-until").GetDateTimeOffset();
        Assert.That(holdUntil, Is.InRange(before.AddSeconds(599), after.AddSeconds(601)));
        var to = first.GetProperty("to").EnumerateArray().ToList();
        Assert.That(to[0].GetProperty("notify").EnumerateArray().Select(n => n.GetString()), Is.EqualTo(new[] { "SUCCESS", "FAILURE" }));
        Assert.That(to[0].GetProperty("orcpt").GetString(), Is.EqualTo("rfc822;b@example.net"));
        Assert.That(to[1].GetProperty("notify").EnumerateArray().Select(n => n.GetString()), Is.EqualTo(new[] { "NEVER" }));
        Assert.That(to[2].TryGetProperty("notify", out var none) ? none.ValueKind : System.Text.Json.JsonValueKind.Null, Is.EqualTo(System.Text.Json.JsonValueKind.Null));

        var second = envelopes.Single(e => e.TryGetProperty("by", out var by) && by.ValueKind == System.Text.Json.JsonValueKind.Object);
        var deliverBy = second.GetProperty("by");
        Assert.That(deliverBy.GetProperty("time").GetInt64(), Is.EqualTo(120));
        Assert.That(deliverBy.GetProperty("mode").GetString(), Is.EqualTo("R"));
        Assert.That(deliverBy.GetProperty("trace").GetBoolean(), Is.True);
    }

    [Test]
    public async Task Rules_see_the_priority_of_the_transaction()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml("""
            [session.extensions]
            mt-priority = "mixer"

            [session.rcpt]
            max-recipients = [ { if = "priority", eq = "5", then = 1 },
                               { else = 10 } ]
            """));
        await using var client = await SurfaceSupport.ConnectAsync(server);
        await client.SayAsync("EHLO client.example.net");
        Assert.That(await client.SayAsync("MAIL FROM:<a@example.net> MT-PRIORITY=5"), Does.StartWith("250"));
        Assert.That(await client.SayAsync("RCPT TO:<b@example.net>"), Does.StartWith("250"));
        Assert.That(await client.SayAsync("RCPT TO:<c@example.net>"), Does.StartWith("455 4.5.3"));
    }

    [TestCase("future-release = true", "session.extensions.future-release")]
    [TestCase("deliver-by = \"soon\"", "session.extensions.deliver-by")]
    [TestCase("mt-priority = \"urgent\"", "session.extensions.mt-priority")]
    [TestCase("no-soliciting = 3", "session.extensions.no-soliciting")]
    public void Bad_values_fail_at_start_up_naming_the_key(string line, string key)
    {
        var ex = Assert.ThrowsAsync<Sluice.Configuration.SluiceConfigurationException>(
            async () => await RunningServer.StartAsync(RunningServer.MinimalToml("[session.extensions]\n" + line)));
        Assert.That(ex!.Message, Does.Contain(key));
    }
}
