using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Queue;
using Sluice.Queue.Log;
using Sluice.Tests.Support;

namespace Sluice.Tests.Durability;

/// <summary>
/// A disk that fills up in the middle of a message (a write puts part of its bytes on disk, then
/// fails with ENOSPC) answers 452 4.3.1, leaves nothing half-stored visible, and the same server stores
/// the next message once there is room again, with every earlier message still readable. For both
/// stores, through an injected file layer (<see cref="DiskFullFileSystem"/>): CI runs as root, so
/// chmod does not stop writes, and a mount is not available everywhere.
/// </summary>
public sealed class DiskFullTests
{
    // A message held in memory until the commit (the log writer's append fails), and one over the log
    // store's 64 KiB spill threshold (its staging file fails first); the files store writes both to .eml.tmp.
    [TestCase("log", 20_000)]
    [TestCase("log", 200_000)]
    [TestCase("files", 20_000)]
    [TestCase("files", 200_000)]
    public async Task A_disk_that_fills_during_a_message_answers_452_4_3_1_and_the_next_message_is_stored_once_space_returns(string type, int size)
    {
        var disk = new DiskFullFileSystem();
        await using var server = await StartAsync(type, disk);
        var queue = Path.Combine(server.Directory, "queue");
        var stored = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await using var client = await ConnectAsync(server);
        for (var i = 0; i < 3; i++)
        {
            var before = Message($"before {i}", size);
            stored.Add(await SendAsync(client, before, "250 2.0.0"), before);
        }

        // The disk fills a third of the way into the next message.
        disk.SpaceLeft = size / 3;
        await SendAsync(client, Message("fills the disk", size), "452 4.3.1");
        Assert.That(disk.Failures, Is.GreaterThan(0), "a write met the full disk");
        AssertQueueHolds(type, queue, stored);

        // Still full: refused again, the same way.
        disk.SpaceLeft = 0;
        await SendAsync(client, Message("still full", size), "452 4.3.1");
        AssertQueueHolds(type, queue, stored);

        // Room again: the same session's next message is stored, after the earlier ones.
        disk.SpaceLeft = null;
        var after = Message("after", size);
        stored.Add(await SendAsync(client, after, "250 2.0.0"), after);
        AssertQueueHolds(type, queue, stored);
    }

    [TestCase("log")]
    [TestCase("files")]
    public async Task Concurrent_messages_that_meet_a_full_disk_all_get_452_4_3_1_and_all_are_stored_when_space_returns(string type)
    {
        const int sessions = 4;
        var disk = new DiskFullFileSystem();
        await using var server = await StartAsync(type, disk);
        var queue = Path.Combine(server.Directory, "queue");
        var clients = new List<LineClient>();
        try
        {
            for (var i = 0; i < sessions; i++)
            {
                clients.Add(await ConnectAsync(server));
            }

            // Every session is inside DATA when the disk is full; their commits may share one log batch.
            disk.SpaceLeft = 0;
            var failed = await Task.WhenAll(clients.Select((c, i) => SendAsync(c, Message($"full {i}", 5_000), "452 4.3.1")));
            Assert.That(failed, Has.All.StartWith("452 4.3.1"));
            AssertQueueHolds(type, queue, new Dictionary<string, byte[]>());

            disk.SpaceLeft = null;
            var messages = Enumerable.Range(0, sessions).Select(i => Message($"room {i}", 5_000)).ToList();
            var ids = await Task.WhenAll(clients.Select((c, i) => SendAsync(c, messages[i], "250 2.0.0")));
            AssertQueueHolds(type, queue, ids.Zip(messages).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static Task<RunningServer> StartAsync(string type, DiskFullFileSystem disk) =>
        RunningServer.StartAsync(RunningServer.MinimalToml(), builder => builder.Services.AddSingleton<IQueueFileSystem>(disk), $"--queue:type={type}");

    private static async Task<LineClient> ConnectAsync(RunningServer server)
    {
        var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
        await client.SendAsync("EHLO client.example\r\n");
        Assert.That((await client.ReadReplyAsync())[^1], Does.StartWith("250 "));
        return client;
    }

    /// <summary>One transaction; returns the queue id of a 250, or the whole reply otherwise.</summary>
    private static async Task<string> SendAsync(LineClient client, byte[] message, string expected)
    {
        await client.SendAsync("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.1.0"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.1.5"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("354 "));
        await client.SendRawAsync(message);
        await client.SendAsync(".\r\n");
        var reply = await client.ReadLineAsync();
        Assert.That(reply, Does.StartWith(expected));
        return expected.StartsWith("250", StringComparison.Ordinal) ? reply!.Split(' ')[^1] : reply!;
    }

    private static byte[] Message(string subject, int size)
    {
        var text = new StringBuilder($"Subject: {subject}\r\n\r\n");
        for (var line = 0; text.Length < size; line++)
        {
            text.Append(subject).Append(" line ").Append(line).Append(' ').Append('x', 60).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>
    /// A fresh reader (as another process would open it) lists exactly <paramref name="expected"/>,
    /// each whole; and no temporary or staging file of a failed message is left behind.
    /// </summary>
    private static void AssertQueueHolds(string type, string queue, IReadOnlyDictionary<string, byte[]> expected)
    {
        IQueueReader reader = type == "log" ? new LogQueueReader(queue) : new FilesQueueReader(queue);
        var listed = Directory.Exists(queue) ? reader.List().ToList() : [];
        Assert.That(listed.Select(m => m.Id), Is.EquivalentTo(expected.Keys), "the messages the queue shows");
        foreach (var message in listed)
        {
            using var content = message.OpenContent();
            using var copy = new MemoryStream();
            content.CopyTo(copy);
            Assert.That(copy.ToArray().AsSpan().EndsWith(expected[message.Id]), Is.True, $"{message.Id} is whole");
            Assert.That(message.Envelope.Size, Is.EqualTo(copy.Length), $"{message.Id}: the envelope's size");
        }

        var leftovers = Directory.Exists(queue)
            ? Directory.GetFiles(queue).Select(Path.GetFileName).Where(n => n!.EndsWith(".tmp", StringComparison.Ordinal) || n.EndsWith(LogSegmentNames.StagingSuffix, StringComparison.Ordinal)).ToList()
            : [];
        Assert.That(leftovers, Is.Empty, "temporary files of failed messages");
    }
}
