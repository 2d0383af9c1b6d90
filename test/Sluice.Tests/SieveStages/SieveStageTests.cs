using System.Text;
using Sluice.Tests.Session;

namespace Sluice.Tests.SieveStages;

/// <summary>
/// Sieve scripts attached to SMTP stages (SPEC §2.8), each over a real socket against the real
/// server: connect, EHLO, MAIL and RCPT outcomes, and what DATA scripts leave in the files store.
/// </summary>
[Parallelizable(ParallelScope.Children)]
public class SieveStageTests
{
    private const string NoWait = """
        [session.rcpt.errors]
        wait = 0
        """;

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static Task<SessionServer> StartAsync(string toml) => SessionServer.StartAsync(toml + "\n" + NoWait);

    [Test]
    public async Task Connect_script_rejects_by_remote_ip_with_its_own_reply_and_closes()
    {
        await using var server = await StartAsync("""
            [sieve.scripts]
            connect = '''
            require ["variables", "reject"];
            if string :is "${env.remote_ip}" "127.0.0.1" {
                reject "554 5.7.1 ${env.remote_ip} is not welcome here";
            }
            '''

            [session.connect]
            script = "connect"
            """);
        await using var client = await RawSmtpClient.ConnectAsync(server.EndPoint);
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("554 5.7.1 127.0.0.1 is not welcome here"));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task Connect_script_reason_without_a_code_is_554_5_7_1_and_a_rule_can_skip_the_script()
    {
        await using var server = await StartAsync("""
            [sieve.scripts]
            connect = '''
            require ["variables", "ereject"];
            if string :is "${env.listener}" "smtp" { ereject "go away"; }
            '''

            [session.connect]
            script = [ { if = "remote-port", eq = "1", then = false }, { else = "connect" } ]
            """);
        await using var client = await RawSmtpClient.ConnectAsync(server.EndPoint);
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("554 5.7.1 go away"));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task A_session_without_a_script_is_greeted_as_usual()
    {
        await using var server = await StartAsync("""
            [sieve.scripts]
            connect = 'require "reject"; reject "no";'

            [session.connect]
            script = [ { if = "remote-ip", eq = "10.0.0.0/8", then = "connect" }, { else = false } ]
            """);
        await using var client = await server.ConnectAsync();
        Assert.That(await client.CommandAsync("QUIT"), Does.StartWith("221 2.0.0"));
    }

    [Test]
    public async Task Ehlo_script_string_list_against_a_directory_lookup()
    {
        await using var server = await StartAsync("""
            [sieve.scripts]
            ehlo = '''
            require ["extlists", "variables", "reject"];
            if string :list "${env.helo_domain}" "local/blocked-helo" {
                reject "helo ${env.helo_domain} is on our list";
            }
            '''

            [session.ehlo]
            script = "ehlo"

            [directory.local]
            type = "memory"
            domains = ["mx.test.example"]

            [directory.local.lookup]
            blocked-helo = ["bad.example", "worse.example"]
            """);
        await using var client = await server.ConnectAsync(ehlo: null);
        Assert.That(await client.CommandAsync("EHLO bad.example"), Is.EqualTo("503 5.5.3 helo bad.example is on our list"));
        Assert.That(await client.CommandAsync("HELO WORSE.example"), Is.EqualTo("503 5.5.3 helo WORSE.example is on our list"));
        Assert.That(await client.CommandAsync("MAIL FROM:<a@client.example>"), Does.StartWith("503 5.5.1"), "a refused EHLO does not count as introduced");
        Assert.That(await client.CommandAsync("EHLO good.example"), Does.StartWith("250 "));
        Assert.That(await client.CommandAsync("MAIL FROM:<a@client.example>"), Does.StartWith("250 2.1.0"));
    }

    [Test]
    public async Task Mail_script_uses_envelope_localpart()
    {
        await using var server = await StartAsync("""
            [sieve.scripts]
            mail = '''
            require ["envelope", "reject"];
            if envelope :localpart :is "from" "spammer" { reject "550 5.7.1 not from you"; }
            elsif envelope :domain :is "from" "blocked.example" { reject "sender domain blocked"; }
            '''

            [session.mail]
            script = "mail"
            """);
        await using var client = await server.ConnectAsync();
        Assert.That(await client.CommandAsync("MAIL FROM:<spammer@client.example>"), Is.EqualTo("550 5.7.1 not from you"));
        Assert.That(await client.CommandAsync("MAIL FROM:<jane@blocked.example>"), Is.EqualTo("503 5.5.3 sender domain blocked"));
        Assert.That(await client.CommandAsync("MAIL FROM:<spammer2@client.example>"), Does.StartWith("250 2.1.0"));
        Assert.That(await client.CommandAsync("RCPT TO:<b@mx.test.example>"), Does.StartWith("250 2.1.5"), "the session goes on");
    }

    [Test]
    public async Task Greylisting_rcpt_script_refuses_the_first_attempt_and_accepts_the_retry()
    {
        await using var server = await StartAsync("""
            [sieve.scripts]
            greylist = '''
            require ["duplicate", "variables", "reject"];
            if not duplicate :handle "greylist" :uniqueid "${env.remote_ip} ${envelope.from} ${envelope.to}" :seconds 3600 {
                reject "451 4.7.1 ${envelope.to}: greylisted, please try again later";
            }
            '''

            [session.rcpt]
            script = "greylist"
            """);
        await using var client = await server.ConnectAsync();
        Assert.That(await client.CommandAsync("MAIL FROM:<a@client.example>"), Does.StartWith("250 2.1.0"));
        Assert.That(await client.CommandAsync("RCPT TO:<b@mx.test.example>"), Is.EqualTo("451 4.7.1 b@mx.test.example: greylisted, please try again later"));
        Assert.That(await client.CommandAsync("RCPT TO:<b@mx.test.example>"), Does.StartWith("250 2.1.5"));
        Assert.That(await client.CommandAsync("RCPT TO:<c@mx.test.example>"), Does.StartWith("451 4.7.1 c@mx.test.example"), "another triplet is greylisted on its own");
        Assert.That(await client.CommandAsync("RSET"), Does.StartWith("250"));
        Assert.That(await client.CommandAsync("MAIL FROM:<other@client.example>"), Does.StartWith("250 2.1.0"));
        Assert.That(await client.CommandAsync("RCPT TO:<b@mx.test.example>"), Does.StartWith("451 4.7.1"), "another sender is another triplet");
    }

    [Test]
    public async Task Rcpt_script_redirect_replaces_this_recipient_and_fileinto_sets_the_folder()
    {
        await using var server = await StartAsync("""
            [sieve.scripts]
            route = '''
            require ["envelope", "fileinto"];
            if envelope :localpart :is "to" "sales" { redirect "crm@mx.test.example"; }
            if envelope :localpart :is "to" "jane" { fileinto "Inbox.Jane"; }
            '''

            [session.rcpt]
            script = "route"
            """);
        await using var client = await server.ConnectAsync();
        var reply = await SessionServer.SendDataAsync(client, "a@client.example", ["sales@mx.test.example", "jane@mx.test.example"], B("Subject: x\r\n\r\nhi\r\n"));
        var json = server.Json(SessionServer.IdOf(reply));
        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("to").EnumerateArray().Select(r => r.GetProperty("address").GetString()),
                Is.EqualTo(new[] { "crm@mx.test.example", "jane@mx.test.example" }));
            Assert.That(json.GetProperty("folder").GetString(), Is.EqualTo("Inbox.Jane"));
        });
    }

    [Test]
    public async Task Envelope_variables_are_those_of_the_stage()
    {
        await using var server = await StartAsync("""
            [sieve.scripts]
            vars = '''
            require ["variables", "reject"];
            reject "550 5.7.1 [${env.local_ip}] [${env.helo_domain}] [${env.authenticated_as}] [${env.listener}] [${env.is_tls}] [${envelope.from}] [${envelope.to}]";
            '''

            [session.rcpt]
            script = "vars"
            """);
        await using var client = await server.ConnectAsync();
        Assert.That(await client.CommandAsync("MAIL FROM:<a@client.example>"), Does.StartWith("250 2.1.0"));
        Assert.That(await client.CommandAsync("RCPT TO:<b@mx.test.example>"),
            Is.EqualTo("550 5.7.1 [127.0.0.1] [client.example] [] [smtp] [false] [a@client.example] [b@mx.test.example]"));
    }
}
