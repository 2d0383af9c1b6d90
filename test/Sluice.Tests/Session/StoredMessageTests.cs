using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sluice.Tests.Session;

/// <summary>
/// What DATA and BDAT leave in the files store: the <c>.eml</c> is the added headers followed byte for
/// byte by what was sent (after dot-unstuffing), and the <c>.json</c> has the envelope of SPEC §2.9.
/// </summary>
[Parallelizable(ParallelScope.Children)]
public class StoredMessageTests
{
    private const string Date = @"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000";

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>The headers Sluice puts on top, as a regular expression (the id is fixed, dates are any date).</summary>
    private static string AddedHeaders(string id, string sender, string helo, string protocol, string? forRcpt, bool messageId, bool date) =>
        "^" + Regex.Escape($"Return-Path: <{sender}>\r\n")
        + Regex.Escape($"Received: from {helo} (unknown [127.0.0.1])\r\n\tby mx.test.example (Sluice) with {protocol} id {id}")
        + (forRcpt is null ? string.Empty : Regex.Escape($"\r\n\tfor <{forRcpt}>"))
        + Regex.Escape(";\r\n\t") + Date + Regex.Escape("\r\n")
        + (messageId ? Regex.Escape($"Message-ID: <{id}@mx.test.example>\r\n") : string.Empty)
        + (date ? "Date: " + Date + Regex.Escape("\r\n") : string.Empty);

    /// <summary>Splits the stored message into the added part and the rest, checking the rest is exactly <paramref name="expectedBody"/>.</summary>
    private static string AssertStored(byte[] eml, byte[] expectedBody)
    {
        Assert.That(eml.Length, Is.GreaterThanOrEqualTo(expectedBody.Length), "stored message shorter than what was sent");
        var tail = eml.AsSpan(eml.Length - expectedBody.Length);
        if (!tail.SequenceEqual(expectedBody))
        {
            Assert.Fail($"the stored message does not end with what was sent.\nexpected tail: {Escape(expectedBody)}\nstored:        {Escape(eml)}");
        }
        return Encoding.UTF8.GetString(eml, 0, eml.Length - expectedBody.Length);
    }

    private static string Escape(byte[] bytes) =>
        string.Concat(bytes.Select(b => b switch { (byte)'\r' => "\\r", (byte)'\n' => "\\n", < 0x20 or >= 0x7f => $"\\x{b:x2}", _ => ((char)b).ToString() }));

    [Test]
    public async Task Data_is_stored_unstuffed_under_return_path_and_received_with_for_and_json_envelope()
    {
        await using var server = await SessionServer.StartAsync();
        await using var client = await server.ConnectAsync();
        var wire = B("Message-ID: <m1@client.example>\r\nDate: Fri, 04 Dec 2026 12:00:00 +0000\r\nSubject: stuffing\r\n\r\n"
            + "..leading dot\r\n...two dots\r\n..\r\n. \r\nplain\r\n");
        var sent = B("Message-ID: <m1@client.example>\r\nDate: Fri, 04 Dec 2026 12:00:00 +0000\r\nSubject: stuffing\r\n\r\n"
            + ".leading dot\r\n..two dots\r\n.\r\n \r\nplain\r\n");
        var reply = await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], wire);
        var id = SessionServer.IdOf(reply);

        var eml = server.Eml(id);
        var added = AssertStored(eml, sent);
        Assert.That(added, Does.Match(AddedHeaders(id, "a@client.example", "client.example", "ESMTP", "b@mx.test.example", messageId: false, date: false) + "$"));

        var json = server.Json(id);
        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("id").GetString(), Is.EqualTo(id));
            Assert.That(json.GetProperty("from").GetString(), Is.EqualTo("a@client.example"));
            Assert.That(json.GetProperty("to").GetArrayLength(), Is.EqualTo(1));
            Assert.That(json.GetProperty("to")[0].GetProperty("address").GetString(), Is.EqualTo("b@mx.test.example"));
            Assert.That(json.GetProperty("to")[0].GetProperty("orcpt").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(json.GetProperty("to")[0].GetProperty("notify").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(json.GetProperty("helo").GetString(), Is.EqualTo("client.example"));
            Assert.That(json.GetProperty("remote-ip").GetString(), Is.EqualTo("127.0.0.1"));
            Assert.That(json.GetProperty("size").GetInt64(), Is.EqualTo(eml.Length));
            Assert.That(json.GetProperty("body").GetString(), Is.EqualTo("7BIT"));
            Assert.That(json.GetProperty("smtputf8").GetBoolean(), Is.False);
            Assert.That(json.GetProperty("authenticated-as").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(json.GetProperty("ret").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(json.GetProperty("env-id").ValueKind, Is.EqualTo(JsonValueKind.Null));
            var receivedAt = DateTimeOffset.Parse(json.GetProperty("received-at").GetString()!, CultureInfo.InvariantCulture);
            Assert.That(receivedAt, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
            Assert.That(json.GetProperty("received-at").GetString(), Does.EndWith("Z"));
            Assert.That(json.GetProperty("requiretls").GetBoolean(), Is.False);
            foreach (var name in new[] { "priority", "hold-until", "by", "folder" })
            {
                Assert.That(json.GetProperty(name).ValueKind, Is.EqualTo(JsonValueKind.Null), name);
            }
            Assert.That(json.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[]
            {
                "id", "from", "to", "received-at", "remote-ip", "helo", "authenticated-as", "size", "body", "smtputf8",
                "requiretls", "env-id", "ret", "priority", "hold-until", "by", "folder",
            }), "every SPEC §2.9 field, in the spec's order");
        });
        Assert.That(server.QueueFiles(), Is.EqualTo(new[] { id + ".eml", id + ".json" }));
    }

    [Test]
    public async Task Several_recipients_give_no_for_clause_and_missing_message_id_and_date_are_added()
    {
        await using var server = await SessionServer.StartAsync();
        await using var client = await server.ConnectAsync();
        var wire = B("Subject: no id, no date\r\n\r\nbody\r\n");
        var reply = await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example", "c@mx.test.example"], wire);
        var id = SessionServer.IdOf(reply);
        var added = AssertStored(server.Eml(id), wire);
        Assert.That(added, Does.Match(AddedHeaders(id, "a@client.example", "client.example", "ESMTP", null, messageId: true, date: true) + "$"));
        var to = server.Json(id).GetProperty("to");
        Assert.That(to.EnumerateArray().Select(r => r.GetProperty("address").GetString()), Is.EqualTo(new[] { "b@mx.test.example", "c@mx.test.example" }));
    }

    [Test]
    public async Task Message_id_and_date_are_recognised_in_any_case_and_only_in_the_header_section()
    {
        await using var server = await SessionServer.StartAsync();
        await using var client = await server.ConnectAsync();
        // Date present (odd case and a space before the colon); Message-ID only in the body.
        var wire = B("DATE : Fri, 04 Dec 2026 12:00:00 +0000\r\nSubject: x\r\n\r\nMessage-ID: <not-a-header@x>\r\n");
        var id = SessionServer.IdOf(await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], wire));
        var added = AssertStored(server.Eml(id), wire);
        Assert.That(added, Does.Match(AddedHeaders(id, "a@client.example", "client.example", "ESMTP", "b@mx.test.example", messageId: true, date: false) + "$"));
    }

    [Test]
    public async Task Helo_null_sender_and_8bitmime_are_recorded()
    {
        await using var server = await SessionServer.StartAsync();
        await using var client = await server.ConnectAsync("HELO old.client.example");
        var wire = B("Subject: caf\u00e9\r\n\r\n8-bit body: \u00e9\u00e8\r\n");
        var reply = await SessionServer.SendDataAsync(client, "", ["b@mx.test.example"], wire, " BODY=8BITMIME");
        var id = SessionServer.IdOf(reply);
        var added = AssertStored(server.Eml(id), wire);
        Assert.That(added, Does.Match(AddedHeaders(id, "", "old.client.example", "SMTP", "b@mx.test.example", messageId: true, date: true) + "$"));
        var json = server.Json(id);
        Assert.That(json.GetProperty("from").GetString(), Is.EqualTo(""));
        Assert.That(json.GetProperty("helo").GetString(), Is.EqualTo("old.client.example"));
        Assert.That(json.GetProperty("body").GetString(), Is.EqualTo("8BITMIME"));
    }

    [Test]
    public async Task Smtputf8_addresses_are_stored_readable()
    {
        await using var server = await SessionServer.StartAsync();
        await using var client = await server.ConnectAsync();
        var wire = B("Subject: \u00fcn\u00efc\u00f6d\u00e9\r\n\r\nok\r\n");
        var reply = await SessionServer.SendDataAsync(client, "j\u00f6rg@b\u00fccher.example", ["\u03b4\u03bf\u03ba\u03b9\u03bc\u03ae@mx.test.example"], wire, " SMTPUTF8 BODY=8BITMIME");
        var id = SessionServer.IdOf(reply);
        var added = AssertStored(server.Eml(id), wire);
        // RFC 6531 3.7.3: a message received with SMTPUTF8 has UTF8SMTP in the Received "with" clause.
        Assert.That(added, Does.Match(AddedHeaders(id, "j\u00f6rg@b\u00fccher.example", "client.example", "UTF8SMTP", "\u03b4\u03bf\u03ba\u03b9\u03bc\u03ae@mx.test.example", messageId: true, date: true) + "$"));
        var json = server.Json(id);
        Assert.That(json.GetProperty("from").GetString(), Is.EqualTo("j\u00f6rg@b\u00fccher.example"));
        Assert.That(json.GetProperty("to")[0].GetProperty("address").GetString(), Is.EqualTo("\u03b4\u03bf\u03ba\u03b9\u03bc\u03ae@mx.test.example"));
        Assert.That(json.GetProperty("smtputf8").GetBoolean(), Is.True);
        Assert.That(File.ReadAllText(Path.Combine(server.QueueDirectory, id + ".json")), Does.Contain("j\u00f6rg@b\u00fccher.example"), "non-ASCII is not escaped");
    }

    [Test]
    public async Task Source_routes_are_dropped_and_postmaster_is_stored_as_given()
    {
        await using var server = await SessionServer.StartAsync();
        await using var client = await server.ConnectAsync();
        var wire = B("Subject: routes\r\n\r\nx\r\n");
        var id = SessionServer.IdOf(await SessionServer.SendDataAsync(client, "a@client.example",
            ["@hop1.example,@hop2.example:b@mx.test.example", "PostMaster", "\"john doe\"@mx.test.example"], wire));
        var to = server.Json(id).GetProperty("to").EnumerateArray().Select(r => r.GetProperty("address").GetString());
        Assert.That(to, Is.EqualTo(new[] { "b@mx.test.example", "PostMaster", "\"john doe\"@mx.test.example" }));
    }

    [TestCase("LF.LF", "A\n.\nMAIL FROM:<x@evil.example>\r\n")]
    [TestCase("CR.CR", "A\r.\rMAIL FROM:<x@evil.example>\r\n")]
    [TestCase("LF.CRLF", "A\n.\r\nMAIL FROM:<x@evil.example>\r\n")]
    [TestCase("CRLF.LF", "A\r\n.\nMAIL FROM:<x@evil.example>\r\n")]
    [TestCase("CRLF.CR", "A\r\n.\rMAIL FROM:<x@evil.example>\r\n")]
    [TestCase("CR.LF", "A\r.\nMAIL FROM:<x@evil.example>\r\n")]
    [TestCase("CR.CRLF", "A\r.\r\nMAIL FROM:<x@evil.example>\r\n")]
    [TestCase("bare CR and LF", "a\rb\nc\r\rd\n\ne\r\n")]
    public async Task Smuggling_vectors_and_bare_line_ends_are_data_stored_as_they_came(string vector, string body)
    {
        await using var server = await SessionServer.StartAsync();
        await using var client = await server.ConnectAsync();
        var wire = B("Message-ID: <s@x>\r\nDate: Fri, 04 Dec 2026 12:00:00 +0000\r\n\r\n" + body);
        var reply = await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], wire);
        var id = SessionServer.IdOf(reply);
        AssertStored(server.Eml(id), wire);
        // Nothing was smuggled: exactly one message, and the session is in a clean state.
        Assert.That(server.QueueFiles(), Has.Count.EqualTo(2), vector);
        Assert.That(await client.CommandAsync("RCPT TO:<b@mx.test.example>"), Does.StartWith("503 5.5.1"));
    }

    [Test]
    public async Task Data_split_into_single_bytes_is_stored_the_same()
    {
        await using var server = await SessionServer.StartAsync();
        await using var client = await server.ConnectAsync();
        var wire = B("Message-ID: <s@x>\r\nDate: Fri, 04 Dec 2026 12:00:00 +0000\r\n\r\n..x\r\nA\n.\r\n.\rB\r\n");
        Assert.That(await client.CommandAsync("MAIL FROM:<a@client.example>"), Does.StartWith("250"));
        Assert.That(await client.CommandAsync("RCPT TO:<b@mx.test.example>"), Does.StartWith("250"));
        Assert.That(await client.CommandAsync("DATA"), Does.StartWith("354"));
        foreach (var b in wire.Concat(".\r\n"u8.ToArray()))
        {
            await client.SendAsync(new[] { b });
        }
        var id = SessionServer.IdOf((await client.ReadReplyAsync())[^1]);
        var added = AssertStored(server.Eml(id), B("Message-ID: <s@x>\r\nDate: Fri, 04 Dec 2026 12:00:00 +0000\r\n\r\n.x\r\nA\n.\r\n.\rB\r\n"));
        Assert.That(added, Does.Match(AddedHeaders(id, "a@client.example", "client.example", "ESMTP", "b@mx.test.example", messageId: false, date: false) + "$"),
            "Message-ID and Date seen although the header section came in pieces");
    }

    [Test]
    public async Task Message_id_and_date_after_a_long_header_section_are_seen()
    {
        await using var server = await SessionServer.StartAsync();
        await using var client = await server.ConnectAsync();
        var filler = string.Concat(Enumerable.Range(0, 2000).Select(i => $"X-Filler-{i}: {new string('f', 60)}\r\n"));
        var wire = B(filler + "Message-ID: <late@x>\r\nDate: Fri, 04 Dec 2026 12:00:00 +0000\r\n\r\n" + new string('b', 100_000) + "\r\n");
        Assert.That(wire.Length, Is.GreaterThan(2 * 64 * 1024));
        var id = SessionServer.IdOf(await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], wire));
        var added = AssertStored(server.Eml(id), wire);
        Assert.That(added, Does.Match(AddedHeaders(id, "a@client.example", "client.example", "ESMTP", "b@mx.test.example", messageId: false, date: false) + "$"));
    }

    [Test]
    public async Task Without_ehlo_the_helo_is_null_and_received_says_unknown()
    {
        await using var server = await SessionServer.StartAsync("[session.ehlo]\nrequire = false");
        await using var client = await server.ConnectAsync(ehlo: null);
        var wire = B("Subject: anonymous\r\n\r\nx\r\n");
        var id = SessionServer.IdOf(await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], wire));
        var added = AssertStored(server.Eml(id), wire);
        Assert.That(added, Does.Match(AddedHeaders(id, "a@client.example", "unknown", "SMTP", "b@mx.test.example", messageId: true, date: true) + "$"));
        Assert.That(server.Json(id).GetProperty("helo").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task Bdat_chunks_are_stored_byte_for_byte_with_binarymime_in_the_envelope()
    {
        await using var server = await SessionServer.StartAsync();
        await using var client = await server.ConnectAsync();
        Assert.That(await client.CommandAsync("MAIL FROM:<a@client.example> BODY=BINARYMIME"), Does.StartWith("250 2.1.0"));
        Assert.That(await client.CommandAsync("RCPT TO:<b@mx.test.example>"), Does.StartWith("250 2.1.5"));
        var chunks = new[]
        {
            B("Message-ID: <bin@x>\r\nDate: Fri, 04 Dec 2026 12:00:00 +0000\r\n\r\n"),
            new byte[] { 0, 1, 2, 0xff, 0xfe, (byte)'\r', (byte)'\n', (byte)'.', (byte)'\r', (byte)'\n', (byte)'.', (byte)'.', (byte)'\n' },
            [],
            B("\r\n.\r\nQUIT\r\n"),
        };
        for (var i = 0; i < chunks.Length; i++)
        {
            var last = i == chunks.Length - 1;
            await client.SendAsync(B($"BDAT {chunks[i].Length}{(last ? " LAST" : "")}\r\n").Concat(chunks[i]).ToArray());
            var reply = (await client.ReadReplyAsync())[^1];
            Assert.That(reply, Does.StartWith(last ? "250 2.0.0" : "250 2.6.0"));
            if (last)
            {
                var id = SessionServer.IdOf(reply);
                var eml = server.Eml(id);
                var added = AssertStored(eml, chunks.SelectMany(c => c).ToArray());
                Assert.That(added, Does.Match(AddedHeaders(id, "a@client.example", "client.example", "ESMTP", "b@mx.test.example", false, false) + "$"));
                var json = server.Json(id);
                Assert.That(json.GetProperty("body").GetString(), Is.EqualTo("BINARYMIME"));
                Assert.That(json.GetProperty("size").GetInt64(), Is.EqualTo(eml.Length));
            }
        }
        Assert.That(await client.CommandAsync("NOOP"), Does.StartWith("250 2.0.0"));
    }

    [Test]
    public async Task Headers_are_not_added_when_add_headers_are_off()
    {
        await using var server = await SessionServer.StartAsync("""
            [session.data.add-headers]
            received = false
            return-path = false
            message-id = false
            date = false
            """);
        await using var client = await server.ConnectAsync();
        var wire = B("Subject: bare\r\n\r\nbody\r\n");
        var id = SessionServer.IdOf(await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], wire));
        Assert.That(server.Eml(id), Is.EqualTo(wire));
        Assert.That(server.Json(id).GetProperty("size").GetInt64(), Is.EqualTo(wire.Length));
    }

    [Test]
    public async Task Refused_and_abandoned_messages_leave_nothing_in_the_queue()
    {
        await using var server = await SessionServer.StartAsync("""
            [session.data.limits]
            size = 100
            received-headers = 1
            """);
        await using var client = await server.ConnectAsync();
        // Over the size limit with DATA.
        var reply = await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], B(new string('x', 300) + "\r\n"));
        Assert.That(reply, Does.StartWith("552 5.3.4"));
        // A loop (too many Received).
        reply = await SessionServer.SendDataAsync(client, "a@client.example", ["b@mx.test.example"], B("Received: a\r\nReceived: b\r\n\r\nx\r\n"));
        Assert.That(reply, Does.StartWith("450 4.4.6"));
        // BDAT over the limit.
        Assert.That(await client.CommandAsync("MAIL FROM:<a@client.example>"), Does.StartWith("250"));
        Assert.That(await client.CommandAsync("RCPT TO:<b@mx.test.example>"), Does.StartWith("250"));
        await client.SendAsync(B("BDAT 60\r\n" + new string('y', 60)));
        Assert.That((await client.ReadReplyAsync())[^1], Does.StartWith("250 2.6.0"));
        await client.SendAsync(B("BDAT 60 LAST\r\n" + new string('y', 60)));
        Assert.That((await client.ReadReplyAsync())[^1], Does.StartWith("552 5.3.4"));
        // BDAT abandoned by RSET, and DATA refused inside a BDAT transaction.
        Assert.That(await client.CommandAsync("MAIL FROM:<a@client.example>"), Does.StartWith("250"));
        Assert.That(await client.CommandAsync("RCPT TO:<b@mx.test.example>"), Does.StartWith("250"));
        await client.SendAsync(B("BDAT 5\r\nhello"));
        Assert.That((await client.ReadReplyAsync())[^1], Does.StartWith("250 2.6.0"));
        Assert.That(await client.CommandAsync("DATA"), Does.StartWith("503 5.5.1"));
        Assert.That(await client.CommandAsync("RSET"), Does.StartWith("250"));
        // An abandoned DATA: the client goes away in the middle.
        Assert.That(await client.CommandAsync("MAIL FROM:<a@client.example>"), Does.StartWith("250"));
        Assert.That(await client.CommandAsync("RCPT TO:<b@mx.test.example>"), Does.StartWith("250"));
        Assert.That(await client.CommandAsync("DATA"), Does.StartWith("354"));
        await client.SendAsync(B("Subject: half\r\n\r\nhalf a messa"));
        await client.DisposeAsync();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (server.QueueFiles().Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.That(server.QueueFiles(), Is.Empty);
    }
}
