using System.Text;
using System.Text.RegularExpressions;
using Sluice.Tests.Session;

namespace Sluice.Tests.SieveStages;

/// <summary>
/// DATA-stage scripts (SPEC §2.8, TRAPS "Durability"): the message is held, the script runs on it,
/// and the original or edited bytes are what the store commits. The stored <c>.eml</c> is compared
/// byte for byte below the headers Sluice adds.
/// </summary>
[Parallelizable(ParallelScope.Children)]
public class SieveStageDataTests
{
    private const string Message =
        "Message-ID: <m1@client.example>\r\nDate: Fri, 04 Dec 2026 12:00:00 +0000\r\nSubject: hello\r\nX-Remove-Me: yes\r\nX-Remove-Me: again\r\n\r\nbody line\r\n";

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static Task<SessionServer> StartAsync(string script, string extra = "") => SessionServer.StartAsync($$"""
        [sieve.scripts]
        data = '''
        {{script}}
        '''

        [session.data]
        script = "data"

        {{extra}}
        """);

    /// <summary>The stored message below the added Return-Path and Received (the message brings its own Message-ID and Date).</summary>
    private static string StoredBelowAddedHeaders(SessionServer server, string id)
    {
        var eml = Encoding.UTF8.GetString(server.Eml(id));
        var added = Regex.Match(eml, "^Return-Path: <[^>]*>\r\nReceived: from [^\r]*\r\n\tby mx\\.test\\.example \\(Sluice\\) with ESMTP id " + id + "(\r\n\tfor <[^>]+>)?;\r\n\t[^\r]+\r\n(Message-ID: <" + id + "@mx\\.test\\.example>\r\n)?(Date: [^\r]+\r\n)?");
        Assert.That(added.Success, Is.True, "added headers on top: " + eml);
        return eml[added.Length..];
    }

    private static string Escape(string text) => text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n\n", StringComparison.Ordinal);

    [Test]
    public async Task Data_script_adds_and_deletes_headers_in_the_stored_message()
    {
        await using var server = await StartAsync("""
            require ["editheader", "variables", "envelope"];
            if envelope :all :matches "from" "*" { set "sender" "${1}"; }
            addheader "X-Sieve" "checked for ${sender}";
            addheader :last "X-Sieve-Last" "at the end";
            deleteheader "X-Remove-Me";
            """);
        await using var client = await server.ConnectAsync();
        var id = SessionServer.IdOf(await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], B(Message)));
        var stored = StoredBelowAddedHeaders(server, id);
        const string expected = "X-Sieve: checked for a@client.example\r\nMessage-ID: <m1@client.example>\r\nDate: Fri, 04 Dec 2026 12:00:00 +0000\r\nSubject: hello\r\n"
            + "X-Sieve-Last: at the end\r\n\r\nbody line\r\n";
        Assert.That(Escape(stored), Is.EqualTo(Escape(expected)));
        Assert.That(server.Json(id).GetProperty("size").GetInt64(), Is.EqualTo(server.Eml(id).Length));
    }

    [Test]
    public async Task Data_script_that_does_not_edit_stores_the_bytes_as_received()
    {
        await using var server = await StartAsync("""
            require ["body"];
            if body :contains "nothing here" { discard; }
            """);
        await using var client = await server.ConnectAsync();
        var wire = "Subject: dots\r\n\r\n..leading dot\r\nbare\nlf\r\n";
        var id = SessionServer.IdOf(await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], B(wire)));
        var eml = Encoding.UTF8.GetString(server.Eml(id));
        Assert.That(Escape(eml), Does.EndWith(Escape("Subject: dots\r\n\r\n.leading dot\r\nbare\nlf\r\n")));
        Assert.That(eml, Does.Contain("Message-ID: <" + id + "@mx.test.example>\r\n"), "Message-ID is still added when missing");
    }

    [Test]
    public async Task Data_script_replaces_a_body_part()
    {
        await using var server = await StartAsync("""
            require ["mime", "foreverypart", "replace"];
            foreverypart {
                if header :mime :type :is "Content-Type" "application" {
                    replace "The attachment was removed.";
                }
            }
            """);
        await using var client = await server.ConnectAsync();
        const string head = "Subject: with attachment\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n";
        const string text = "--XX\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n";
        const string attachment = "--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAwQF\r\n--XX--\r\n";
        var id = SessionServer.IdOf(await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], B(head + text + attachment)));
        var stored = StoredBelowAddedHeaders(server, id);
        const string replaced = "--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe attachment was removed.\r\n--XX--\r\n";
        Assert.That(Escape(stored), Is.EqualTo(Escape(head + text + replaced)));
    }

    [Test]
    public async Task Data_script_discard_answers_250_with_an_id_and_stores_nothing()
    {
        await using var server = await StartAsync("""
            require ["envelope"];
            if header :contains "Subject" "lottery" { discard; stop; }
            """);
        await using var client = await server.ConnectAsync();
        var reply = await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], B("Subject: you won the lottery\r\n\r\nclaim now\r\n"));
        var id = SessionServer.IdOf(reply);
        Assert.That(server.QueueFiles(), Is.Empty, "nothing stored, no temporary left behind");
        var kept = SessionServer.IdOf(await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], B("Subject: hello\r\n\r\nhi\r\n")));
        Assert.That(kept, Is.Not.EqualTo(id));
        Assert.That(server.QueueFiles(), Is.EqualTo(new[] { kept + ".eml", kept + ".json" }));
    }

    [Test]
    public async Task Data_script_redirect_replaces_every_recipient()
    {
        await using var server = await StartAsync("""
            require ["fileinto", "copy"];
            if header :contains "Subject" "invoice" { redirect "billing@mx.test.example"; }
            elsif header :contains "Subject" "report" { redirect :copy "archive@mx.test.example"; fileinto "Reports"; }
            """);
        await using var client = await server.ConnectAsync();
        var first = SessionServer.IdOf(await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example", "c@mx.test.example"], B("Subject: invoice 42\r\n\r\npay\r\n")));
        var second = SessionServer.IdOf(await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], B("Subject: report\r\n\r\nnumbers\r\n")));
        string?[] To(string id) => [.. server.Json(id).GetProperty("to").EnumerateArray().Select(r => r.GetProperty("address").GetString())];
        Assert.Multiple(() =>
        {
            Assert.That(To(first), Is.EqualTo(new[] { "billing@mx.test.example" }));
            Assert.That(Encoding.UTF8.GetString(server.Eml(first)), Does.Contain("\tfor <billing@mx.test.example>;"), "Received names the new recipient");
            Assert.That(To(second), Is.EqualTo(new[] { "b@mx.test.example", "archive@mx.test.example" }));
            Assert.That(server.Json(second).GetProperty("folder").GetString(), Is.EqualTo("Reports"));
        });
    }

    [Test]
    public async Task Data_script_reject_refuses_the_message_and_the_session_goes_on()
    {
        await using var server = await StartAsync("""
            require ["reject", "body"];
            if body :contains "EICAR" { reject "554 5.7.1 infected"; }
            """);
        await using var client = await server.ConnectAsync();
        Assert.That(await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], B("Subject: x\r\n\r\nEICAR test\r\n")), Is.EqualTo("554 5.7.1 infected"));
        Assert.That(server.QueueFiles(), Is.Empty);
        SessionServer.IdOf(await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], B("Subject: x\r\n\r\nclean\r\n")));
    }

    [Test]
    public async Task Data_script_looping_until_its_cpu_budget_ends_answers_451_4_3_0_and_the_session_goes_on()
    {
        await using var server = await StartAsync("""
            require ["mime", "foreverypart", "variables"];
            foreverypart {
                if header :mime :type :is "Content-Type" "text" { set "count" "${count}."; }
            }
            """, """
            [sieve.limits]
            cpu = 400
            """);
        await using var client = await server.ConnectAsync();
        var many = new StringBuilder("Subject: many parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n");
        for (var i = 0; i < 300; i++)
        {
            many.Append("--B\r\nContent-Type: text/plain\r\n\r\npart ").Append(i).Append("\r\n");
        }
        many.Append("--B--\r\n");
        Assert.That(await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], B(many.ToString())), Does.StartWith("451 4.3.0"));
        Assert.That(server.QueueFiles(), Is.Empty);
        var id = SessionServer.IdOf(await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], B("Subject: small\r\n\r\nhi\r\n")));
        Assert.That(server.QueueFiles(), Is.EqualTo(new[] { id + ".eml", id + ".json" }));
    }

    [Test]
    public async Task Data_script_over_bdat_sees_and_edits_the_whole_message()
    {
        await using var server = await StartAsync("""
            require ["editheader"];
            addheader "X-Seen" "yes";
            """);
        await using var client = await server.ConnectAsync();
        Assert.That(await client.CommandAsync("MAIL FROM:<a@client.example>"), Does.StartWith("250"));
        Assert.That(await client.CommandAsync("RCPT TO:<b@mx.test.example>"), Does.StartWith("250"));
        var part1 = B("Subject: chunks\r\n\r\nfirst ");
        var part2 = B("second\r\n");
        await client.SendAsync(B($"BDAT {part1.Length}\r\n"));
        await client.SendAsync(part1);
        Assert.That((await client.ReadReplyAsync())[^1], Does.StartWith("250 2.6.0"));
        await client.SendAsync(B($"BDAT {part2.Length} LAST\r\n"));
        await client.SendAsync(part2);
        var id = SessionServer.IdOf((await client.ReadReplyAsync())[^1]);
        Assert.That(Escape(Encoding.UTF8.GetString(server.Eml(id))), Does.EndWith(Escape("X-Seen: yes\r\nSubject: chunks\r\n\r\nfirst second\r\n")));
    }

    [Test]
    public async Task A_message_larger_than_the_memory_bound_is_held_in_a_temporary_file_and_stored_whole()
    {
        await using var server = await StartAsync("""
            require ["editheader"];
            addheader "X-Big" "yes";
            """);
        await using var client = await server.ConnectAsync();
        var body = new StringBuilder("Subject: big\r\n\r\n");
        var line = new string('x', 998) + "\r\n";
        for (var i = 0; i < 3000; i++)
        {
            body.Append(line);
        }
        var id = SessionServer.IdOf(await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], B(body.ToString())));
        var eml = server.Eml(id);
        Assert.That(eml.AsSpan().EndsWith(B("X-Big: yes\r\n" + body)), Is.True);
        Assert.That(server.QueueFiles(), Is.EqualTo(new[] { id + ".eml", id + ".json" }), "the temporary file is gone");
    }
}
