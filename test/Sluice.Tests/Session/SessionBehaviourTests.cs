using System.Diagnostics;

namespace Sluice.Tests.Session;

/// <summary>Session behaviour a transcript cannot show: timing across sessions, how replies are batched.</summary>
public class SessionBehaviourTests
{
    [Test]
    public async Task Rcpt_errors_wait_delays_that_session_but_not_another_one()
    {
        await using var server = await SessionServer.StartAsync("""
            [session.rcpt]
            errors.wait = "2s"
            errors.total = 10
            """);
        await using var slow = await server.ConnectAsync();
        await using var other = await server.ConnectAsync();
        Assert.That(await slow.CommandAsync("MAIL FROM:<a@client.example>"), Does.StartWith("250 2.1.0"));

        var clock = Stopwatch.StartNew();
        await slow.SendAsync("RCPT TO:<bad address>\r\n");
        var refused = slow.ReadLineAsync();

        // While the first session waits, the second one is served at once, several times over.
        for (var i = 0; i < 3; i++)
        {
            var started = clock.Elapsed;
            Assert.That(await other.CommandAsync("NOOP"), Does.StartWith("250 2.0.0"));
            Assert.That(clock.Elapsed - started, Is.LessThan(TimeSpan.FromSeconds(1)), "the other session is not held up");
        }
        Assert.That(refused.IsCompleted, Is.False, "the refusal is still being delayed");
        Assert.That(await other.CommandAsync("MAIL FROM:<c@client.example>"), Does.StartWith("250 2.1.0"));
        Assert.That(await other.CommandAsync("RCPT TO:<d@mx.test.example>"), Does.StartWith("250 2.1.5"));

        Assert.That(await refused, Does.StartWith("501 5.1.3"));
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9)), "the counted refusal waited errors.wait");

        // Refusals that are not counted (455, 555) and acceptances are not delayed.
        var before = clock.Elapsed;
        Assert.That(await slow.CommandAsync("RCPT TO:<b@mx.test.example> NOTIFY=NEVER"), Does.StartWith("555 5.5.4"));
        Assert.That(await slow.CommandAsync("RCPT TO:<b@mx.test.example>"), Does.StartWith("250 2.1.5"));
        Assert.That(clock.Elapsed - before, Is.LessThan(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task The_refusal_that_reaches_errors_total_closes_at_once_without_the_wait()
    {
        await using var server = await SessionServer.StartAsync("""
            [session.rcpt]
            errors.wait = "1s"
            errors.total = 2
            """);
        await using var client = await server.ConnectAsync();
        Assert.That(await client.CommandAsync("MAIL FROM:<a@client.example>"), Does.StartWith("250 2.1.0"));
        var clock = Stopwatch.StartNew();
        Assert.That(await client.CommandAsync("RCPT TO:<bad address>"), Does.StartWith("501 5.1.3"));
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9)));
        clock.Restart();
        Assert.That(await client.CommandAsync("RCPT TO:<another bad one>"), Does.StartWith("451 4.3.0"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(0.8)));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task The_replies_of_a_pipelined_batch_arrive_in_one_read()
    {
        await using var server = await SessionServer.StartAsync("""
            [session.rcpt]
            errors.wait = "0s"
            """);
        await using var client = await server.ConnectAsync();
        await client.SendAsync("MAIL FROM:<a@client.example>\r\nRCPT TO:<b1@mx.test.example>\r\nRCPT TO:<bad address>\r\nRCPT TO:<b2@mx.test.example>\r\nNOOP\r\nFROB\r\nDATA\r\n");
        var expected = new[] { "250 2.1.0", "250 2.1.5", "501 5.1.3", "250 2.1.5", "250 2.0.0", "500 5.5.1", "354" };
        var reads = new List<int>();
        foreach (var prefix in expected)
        {
            Assert.That(await client.ReadLineAsync(), Does.StartWith(prefix));
            reads.Add(client.LastLineRead);
        }
        Assert.That(reads.Distinct().Count(), Is.EqualTo(1), "one flush for the batch: the replies came in reads " + string.Join(",", reads));

        await client.SendAsync("Subject: x\r\n\r\nbody\r\n.\r\nMAIL FROM:<a@client.example>\r\nRCPT TO:<b@mx.test.example>\r\nRSET\r\nQUIT\r\n");
        expected = ["250 2.0.0", "250 2.1.0", "250 2.1.5", "250 2.0.0", "221 2.0.0"];
        reads.Clear();
        foreach (var prefix in expected)
        {
            Assert.That(await client.ReadLineAsync(), Does.StartWith(prefix));
            reads.Add(client.LastLineRead);
        }
        Assert.That(reads.Distinct().Count(), Is.EqualTo(1), "one flush after the message and the commands behind it: reads " + string.Join(",", reads));
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task Concurrent_sessions_each_store_their_messages()
    {
        await using var server = await SessionServer.StartAsync();
        var tasks = Enumerable.Range(0, 8).Select(async n =>
        {
            await using var client = await server.ConnectAsync();
            var ids = new List<string>();
            for (var m = 0; m < 3; m++)
            {
                var body = System.Text.Encoding.ASCII.GetBytes($"Subject: session {n} message {m}\r\n\r\n{new string((char)('a' + n), 5000)}\r\n");
                ids.Add(SessionServer.IdOf(await SessionServer.SendDataAsync(client, $"s{n}@client.example", [$"r{m}@mx.test.example"], body)));
            }
            return ids;
        });
        var all = (await Task.WhenAll(tasks)).SelectMany(x => x).ToList();
        Assert.That(all.Distinct().Count(), Is.EqualTo(24));
        Assert.That(server.QueueFiles(), Has.Count.EqualTo(48));
    }

    [Test]
    public async Task A_whole_session_sent_one_byte_at_a_time_is_answered_like_one_sent_at_once()
    {
        await using var server = await SessionServer.StartAsync("""
            [session.rcpt]
            errors.wait = "0s"
            """);
        var script = System.Text.Encoding.ASCII.GetBytes(
            "EHLO client.example\r\nMAIL FROM:<a@client.example>\r\nRCPT TO:<b@mx.test.example>\r\nRCPT TO:<bad address>\r\nDATA\r\n"
            + "Subject: one\r\n\r\n..x\r\nA\n.\nB\r\n.\r\n"
            + "MAIL FROM:<a@client.example> BODY=BINARYMIME\r\nRCPT TO:<b@mx.test.example>\r\nBDAT 5\r\nab\r\ncBDAT 3 LAST\r\n.\r\n"
            + "NOOP " + new string('x', 3000) + "\r\nNOOP\r\nBDAT 4\r\nQUITRSET\r\nFROB\r\nQUIT\r\n");

        async Task<List<string>> RunAsync(bool byteByByte)
        {
            await using var client = await server.ConnectAsync(ehlo: null);
            if (byteByByte)
            {
                for (var i = 0; i < script.Length; i++)
                {
                    await client.SendAsync(script.AsMemory(i, 1));
                }
            }
            else
            {
                await client.SendAsync(script);
            }
            var lines = new List<string>();
            for (var i = 0; i < 100; i++)
            {
                var line = await client.ReadLineAsync();
                if (line is null)
                {
                    return lines;
                }
                lines.Add(line.Length > 9 ? line[..9] : line);
            }
            throw new AssertionException("the session did not end");
        }

        var atOnce = await RunAsync(byteByByte: false);
        var split = await RunAsync(byteByByte: true);
        Assert.That(atOnce, Is.EqualTo(new[]
        {
            "250-mx.te", "250-PIPEL", "250-SIZE ", "250-8BITM", "250-CHUNK", "250-BINAR", "250-SMTPU", "250 ENHAN",
            "250 2.1.0", "250 2.1.5", "501 5.1.3", "354 End d", "250 2.0.0",
            "250 2.1.0", "250 2.1.5", "250 2.6.0", "250 2.0.0",
            "554 5.3.4", "250 2.0.0", "503 5.5.1", "250 2.0.0", "500 5.5.1", "221 2.0.0",
        }));
        Assert.That(split, Is.EqualTo(atOnce));
        Assert.That(server.QueueFiles(), Has.Count.EqualTo(8));
    }
}
