using System.Collections.Concurrent;
using System.Text;
using Sluice.Queue;
using Sluice.Queue.Log;
using Sluice.Tests.Configuration;
using Sluice.Tests.Support;

namespace Sluice.Tests.Queue;

/// <summary>
/// kill -9 of the real server in the middle of a load of concurrent sessions, for each store: after a
/// restart every message that got its 250 is there, whole, and every message that is there is whole
/// (a commit that did not finish left nothing half). The flushes themselves are proven through the
/// injected file layer in the contract suite (kill -9 keeps the page cache).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class QueueCrashTests
{
    private const int Sessions = 20;
    private const int AcknowledgedBeforeKill = 150;

    [TestCase("log")]
    [TestCase("files")]
    public async Task Every_acknowledged_message_survives_a_kill_9_during_load_and_nothing_half_is_visible(string type)
    {
        using var dir = new TempDir();
        var queue = Path.Combine(dir.Path, "queue");
        var config = dir.File("sluice.toml", $"""
            [server]
            hostname = "mx.test.example"
            [server.listener.smtp]
            bind = "127.0.0.1:0"
            [server.listener.http]
            bind = "127.0.0.1:0"
            protocol = "http"
            [queue]
            type = "{type}"
            path = "{queue.Replace('\\', '/')}"
            min-free-space = 1
            """);

        var sent = new ConcurrentDictionary<string, string>();      // tag -> message text as sent
        var acknowledged = new ConcurrentDictionary<string, string>(); // id -> tag
        await using (var server = await SluiceProcess.StartAsync(config, dir.Path))
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var clients = Enumerable.Range(0, Sessions)
                .Select(c => Task.Run(() => SendUntilStoppedAsync(server, c, sent, acknowledged, stop.Token)))
                .ToList();
            await LogMessageStoreTests.PollAsync(() => acknowledged.Count >= AcknowledgedBeforeKill, $"{AcknowledgedBeforeKill} messages acknowledged");
            await server.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(clients);
        }

        await using (var restarted = await SluiceProcess.StartAsync(config, dir.Path))
        {
            // Read while the restarted server runs, as the CLI would.
            IQueueReader reader = type == "log" ? new LogQueueReader(queue) : new FilesQueueReader(queue);
            var stored = reader.List().ToDictionary(m => m.Id, m => Encoding.ASCII.GetString(MessageStoreContractTests.ReadContent(m)));

            Assert.That(acknowledged.Keys.Except(stored.Keys), Is.Empty, "every message that got its 250 is there");
            foreach (var (id, tag) in acknowledged)
            {
                Assert.That(stored[id], Does.EndWith(sent[tag]), $"acknowledged {id} is whole");
            }

            foreach (var (id, content) in stored)
            {
                var tag = content.Split("Subject: ", 2)[1].Split("\r\n", 2)[0];
                Assert.That(sent.ContainsKey(tag) && content.EndsWith(sent[tag], StringComparison.Ordinal), Is.True, $"visible {id} is whole");
            }

            var (exit, stdout, _) = await CheckCommandTests.RunServerAsync(dir.Path, "queue", "list", "--config", config);
            Assert.That(exit, Is.Zero);
            Assert.That(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0]), Is.EquivalentTo(stored.Keys), "queue list while the server runs");

            // And the restarted server takes mail again.
            var extra = new ConcurrentDictionary<string, string>();
            var extraAck = new ConcurrentDictionary<string, string>();
            await SendAsync(restarted, 99, 0, extra, extraAck);
            Assert.That(extraAck, Has.Count.EqualTo(5));
            await TestContext.Out.WriteLineAsync($"{type}: {acknowledged.Count} acknowledged before the kill, {stored.Count} stored after it");
        }
    }

    private static async Task SendUntilStoppedAsync(SluiceProcess server, int client, ConcurrentDictionary<string, string> sent, ConcurrentDictionary<string, string> acknowledged, CancellationToken stop)
    {
        for (var round = 0; round < 1000 && !stop.IsCancellationRequested; round++)
        {
            try
            {
                await SendAsync(server, client, round, sent, acknowledged);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
            {
                return; // the server was killed
            }
        }
    }

    /// <summary>One session of up to 5 messages; records each message as sent before DATA ends, and as acknowledged on its 250.</summary>
    private static async Task SendAsync(SluiceProcess server, int client, int round, ConcurrentDictionary<string, string> sent, ConcurrentDictionary<string, string> acknowledged)
    {
        await using var smtp = await LineClient.ConnectAsync(server.Smtp);
        Expect(await smtp.ReadLineAsync(), "220");
        await smtp.SendAsync("EHLO load.example\r\n");
        Expect((await smtp.ReadReplyAsync())[^1], "250");
        for (var n = 0; n < 5; n++)
        {
            var tag = $"c{client}-r{round}-m{n}";
            var body = new StringBuilder();
            for (var line = 0; line < 50; line++)
            {
                body.Append(tag).Append(" line ").Append(line).Append(' ').Append('x', 60).Append("\r\n");
            }

            var text = $"Subject: {tag}\r\n\r\n{body}end of {tag}\r\n";
            sent[tag] = text;
            await smtp.SendAsync($"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n");
            Expect(await smtp.ReadLineAsync(), "250");
            Expect(await smtp.ReadLineAsync(), "250");
            Expect(await smtp.ReadLineAsync(), "354");
            await smtp.SendAsync(text + ".\r\n");
            var reply = await smtp.ReadLineAsync();
            Expect(reply, "250");
            acknowledged[reply!.Split(' ')[^1]] = tag;
        }

        await smtp.SendAsync("QUIT\r\n");
    }

    private static void Expect(string? line, string code)
    {
        if (line is null || !line.StartsWith(code, StringComparison.Ordinal))
        {
            throw new IOException($"expected {code}, got '{line}'");
        }
    }
}
