using System.Text;
using Sluice.Queue;
using Sluice.Tests.Support;

namespace Sluice.Tests.Durability;

/// <summary>kill -9 right after a 250: the acknowledged message is in the queue, whole.</summary>
public class KillTests
{
    [Test]
    public async Task A_message_acknowledged_before_a_kill_9_is_whole_after_it()
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
            type = "files"
            path = "{queue}"
            min-free-space = 1
            """);

        var body = string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i} of a message that must survive\r\n"));
        for (var round = 0; round < 2; round++)
        {
            await using var server = await SluiceProcess.StartAsync(config, dir.Path);
            await using var client = await LineClient.ConnectAsync(server.Smtp);
            await StoreDurabilityTests.SendEnvelopeAsync(client);
            await client.SendAsync($"Subject: round {round}\r\n\r\n{body}.\r\n");
            var reply = await client.ReadLineAsync();
            await server.KillAsync(); // SIGKILL, the moment the 250 is in
            Assert.That(reply, Does.StartWith("250 2.0.0"));
            var id = reply!.Split(' ')[^1];

            var eml = await File.ReadAllBytesAsync(Path.Combine(queue, id + ".eml"));
            var json = EnvelopeJson.Read(await File.ReadAllBytesAsync(Path.Combine(queue, id + ".json")));
            Assert.That(json.Size, Is.EqualTo(eml.Length));
            Assert.That(Encoding.ASCII.GetString(eml), Does.EndWith($"Subject: round {round}\r\n\r\n{body}"));
            Assert.That(json.To.Select(t => t.Address), Is.EqualTo(new[] { "c@d.example" }));
        }
        Assert.That(Directory.GetFiles(queue, "*.json"), Has.Length.EqualTo(2));
    }
}
