using Sluice.Tests.Support;

namespace Sluice.Tests.Rules;

/// <summary>
/// Compiled rules as the running server evaluates them, over a real socket: the session fills the
/// context as stages progress, and lookup lists come from a directory in the same file.
/// </summary>
public class RuleSessionTests
{
    private const string Rules = """
        [directory.local]
        type = "memory"
        domains = ["example.org"]
        [directory.local.lookup]
        strict-clients = ["127.0.0.0/8"]

        [session.connect]
        greeting = [ { if = "listener", matches = '^(smtp)$', then = "hello ${1} listener" },
                     { else = "hello" } ]

        [session.ehlo]
        reject-non-fqdn = [ { if = "remote-ip", in-list = "local/strict-clients", then = true },
                            { else = false } ]

        [session.rcpt]
        max-recipients = [ { if = "sender-domain", eq = "example.org", then = 1 },
                           { else = 100 } ]
        """;

    [Test]
    public async Task The_session_evaluates_rules_with_its_own_variables()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml(Rules));
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        var transcript = new List<string> { (await client.ReadReplyAsync()).Single() };

        async Task Say(string command)
        {
            await client.SendAsync(command + "\r\n");
            transcript.Add((await client.ReadReplyAsync())[^1]);
        }

        await Say("EHLO localhost");          // a loopback client is in strict-clients: non-FQDN refused
        await Say("EHLO client.example.net");
        await Say("MAIL FROM:<jane@Example.ORG>");
        await Say("RCPT TO:<a@example.com>");
        await Say("RCPT TO:<b@example.com>"); // one recipient for senders of example.org
        await Say("RSET");
        await Say("MAIL FROM:<bob@elsewhere.example>");
        await Say("RCPT TO:<a@example.com>");
        await Say("RCPT TO:<b@example.com>");
        await Say("QUIT");

        Assert.That(transcript.Select(line => line.Length > 9 ? line[..9] : line), Is.EqualTo(new[]
        {
            "220 mx.te", "550 5.5.0", "250 ENHAN", "250 2.1.0", "250 2.1.5", "455 4.5.3",
            "250 2.0.0", "250 2.1.0", "250 2.1.5", "250 2.1.5", "221 2.0.0",
        }));
        Assert.That(transcript[0], Is.EqualTo("220 mx.test.example hello smtp listener"));
    }
}
